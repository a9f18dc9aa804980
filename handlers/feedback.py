"""评价反馈: 1–5 stars and a comment on the resident's latest resolved case (or one named by number).
Two stars or fewer reopen it (返工) with the comment as the reason."""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from handlers import answers, case_actions, case_words, forms
from handlers.case_lifecycle import IllegalTransition, State
from handlers.forms import Form, Slot
from handlers.turn import Outcome, Turn
from nlu.entities import RATING_WORDS, extract_case_number, extract_rating

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

LOW = case_actions.LOW_RATING
_EXPLICIT_RATING = re.compile(r"[⭐★🌟]|星|分|满意|好评|差评|挺好|不错|很好|太差|很差|一般|还行|凑合|不好|不咋地|垃圾")
_RATING_TOKENS = re.compile(
    r"(给|打)?\s*[0-9一二两三四五]\s*(颗星|颗|星|分)|[⭐★🌟]+|五星好评|好评|差评|满分|评分|评价|我给|给你们"
)


def _resolved(turn: Turn, uow: "UnitOfWork") -> list:
    return [c for c in uow.cases.for_reporter(turn.resident.id, limit=20) if c.state == State.RESOLVED]


def _case_values(case) -> dict:
    return {"case": f"{case.number} {case_words.title(case)}", "case_no": case.number}


def _fill_case(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    number = extract_case_number(turn.text)
    case = next((c for c in _resolved(turn, uow) if c.number == number), None) if number else None
    return _case_values(case) if case is not None else None


def _latest_resolved(turn: Turn, values: dict, uow: "UnitOfWork") -> dict | None:
    cases = _resolved(turn, uow)
    return _case_values(cases[0]) if cases else None


def _fill_rating(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    if asked is None and not _EXPLICIT_RATING.search(turn.text):
        return None  # a bare "2" elsewhere in the conversation is not a rating
    stars = extract_rating(turn.text)
    return {"rating": stars} if stars is not None else None


def _comment_of(text: str) -> str | None:
    """What the resident said besides the stars: 师傅修得挺好，五星 -> 师傅修得挺好; 不满意 alone -> None."""
    rest = _RATING_TOKENS.sub("", text).strip(" ，。,.!！~～")
    bare = rest
    for word, _ in RATING_WORDS:
        bare = bare.replace(word, "")
    return rest if len(answers.cleaned(bare)) >= 2 else None


def _fill_comment(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    comment = _comment_of(turn.text)
    return {"comment": comment} if comment else None


def _fill_reason(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    if asked is None:
        return None
    text = turn.text.strip()
    return {"reason": text, "comment": text} if len(answers.cleaned(text)) >= 2 else None


def rate_case(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    case = uow.cases.by_number(values["case_no"])
    stars, comment = int(values["rating"]), values.get("comment") or ""
    try:
        reopened = case_actions.rate(case, turn.resident, stars, comment, uow, turn.settings, at=turn.now)
    except IllegalTransition as error:
        return Outcome(f"这次没能评价：{error}。回复“进度”看看工单现在的情况。")
    log.info("case.rated case=%s stars=%s reopened=%s", case.number, stars, reopened)
    if reopened:
        who = case_words.holder(case)
        return Outcome(f"收到，您给了{stars}星。工单 {case.number} 已退回返工，"
                       f"{(who + '会') if who else '社区会安排人'}重新处理，{case_words.next_step(case, turn.now) or '尽快联系您'}。")
    return Outcome(f"谢谢您的{stars}星评价！工单 {case.number} 已办结归档。有需要随时找我。")


FEEDBACK_FORM = forms.register(
    Form(
        name="feedback",
        title="评价",
        intent="feedback",
        slots=(
            Slot("case", prompt="要评价哪一件？请回复工单编号", fill=_fill_case, label="工单", default=_latest_resolved,
                 default_confirms=False),
            Slot("rating", prompt="请给这次服务打个分：1到5星，5星最好", fill=_fill_rating, label="评分",
                 show=lambda v: f"{v['rating']}星"),
            Slot("comment", prompt="", fill=_fill_comment, label="意见", optional=True, free_text=True),
            Slot("reason", prompt="哪里不满意？说一下，我让他们返工重做", fill=_fill_reason,
                 needed=lambda v: int(v.get("rating") or 5) <= LOW and not v.get("comment")),
        ),
        on_complete=rate_case,
    )
)


def start(turn: Turn, uow: "UnitOfWork") -> Outcome:
    number = extract_case_number(turn.text)
    resolved = _resolved(turn, uow)
    if number is not None and number not in {c.number for c in resolved}:
        case = uow.cases.by_number(number)
        if case is None or case.reporter_id != turn.resident.id:
            return Outcome(f"没有找到您名下的工单 {number}，请核对一下编号。")
        return Outcome(f"工单 {number} 现在是“{case_words.step(case)}”，办好以后再请您评价。")
    if not resolved:
        opened = [c for c in uow.cases.for_reporter(turn.resident.id, limit=5) if c.state not in ("closed", "cancelled", "rejected")]
        if opened:
            return Outcome(f"您的工单 {opened[0].number} 还在办理中，办好后我会请您评价。谢谢您！")
        return Outcome("谢谢您的反馈！您现在没有待评价的工单。有需要随时找我。")
    return forms.start(FEEDBACK_FORM, turn, uow)
