"""矛盾纠纷调解: what happened, with whom, whether the resident wants a mediation meeting and when.
The case goes to the grid worker with a mediator alongside."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from handlers import answers, case_followup, forms, locations, resident_slots, when
from handlers.case_opening import open_and_route
from handlers.forms import Form, Slot
from handlers.turn import Outcome, Turn
from nlu.entities import location_span
from nlu.normalise import normalise

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

# Words that ask for mediation without saying what happened.
_NOISE = re.compile(
    r"你好|您好|在吗|请问|麻烦|帮忙|帮我|帮俺|俺|我们|我家|我要|我想|想要|想|需要|要|找人|找个人|来人|给|"
    r"调解|调节|矛盾|纠纷|评评理|主持公道|处理|一下|的|了|啊|呀|吧|呢|哈|嗯|[\s，。！？、,.!?~～]"
)
# Who the other party is: a neighbour by relation or floor (楼上, 对门, 12楼), or by the address the
# entity extractor reads (3号楼, A座, 5栋2单元), then who lives there (602的邻居, 的王大爷, 老李家).
_RELATION = re.compile(r"楼上|楼下|对门|隔壁|对面|同楼|同单元|邻居|房东|租客|租户|物业|商户|门面|"
                       r"[\d一二三四五六七八九十]+楼|\d{3,4}")
_WHO = re.compile(r"(?:的?\d{3,4})?(?:的?(?:邻居|住户|人家|租户|[\u4e00-\u9fa5]?(?:大爷|大妈|阿姨|大姐|大哥)|"
                  r"老[\u4e00-\u9fa5]|小[\u4e00-\u9fa5]|[\u4e00-\u9fa5]家))?")
_WANTS_MEETING = re.compile(r"当面|见面|坐下来|面对面|调解|约.{0,4}谈|谈一谈|谈谈|评评理")
_NO_MEETING = re.compile(r"不(用|要|想|必)(见面|当面|碰面|调解)|别(见面|当面)|不想见|你们.{0,4}(说|讲|沟通|劝)")


def _describes(text: str) -> bool:
    return len(_NOISE.sub("", text)) >= 3


def _fill_what(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    if not _describes(turn.text):
        return None
    found = {"what": turn.text.strip()}
    party = _party(turn.text)
    if party and "party" not in values:
        found["party"] = party
    return found


def _party(text: str) -> str | None:
    """The other party as the resident named it, whichever of a relation or an address comes first."""
    text = normalise(text)
    relation = _RELATION.search(text)
    spans = [span for span in (location_span(text), relation and relation.span()) if span]
    if not spans:
        return None
    start, end = min(spans)
    return text[start:end].upper() + _WHO.match(text, end).group(0)  # normalise lower-cased A座


# 对方是楼下202的 / 那家是对门: the resident names the other party in so many words.
_PARTY_NAMED = re.compile(r"^(?:对方|那家|那人|那户)(?:应该是|其实是|是|为|在|住)?[，,\s]*")
# In a correction that does not say 对方 (不对，是楼下的), only a neighbour named by relation is the party:
# 不对，是3号楼 corrects where it happened.
_RELATION_WORD = re.compile(r"楼上|楼下|对门|隔壁|对面|邻居|房东|租客|租户|物业|商户|门面")


def _corrected_party(text: str) -> str | None:
    """The party a later message names instead of the one read: 不对，是楼下的 / 对方是楼下202的."""
    rest = answers.correction_rest(text) if answers.is_correction(text) else answers.plain(text)
    named = _PARTY_NAMED.match(rest)
    if named is None and not (answers.is_correction(text) and _RELATION_WORD.match(rest)):
        return None
    return _party(rest[named.end():] if named else rest)


def _fill_party(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    text = turn.text.strip()
    if asked is None:  # read from the description, or asked; or corrected later
        corrected = _corrected_party(text) if "party" in values else None
        return {"party": corrected} if corrected and corrected != values["party"] else None
    if answers.is_skip(text) or answers.cleaned(text) in {"不知道", "不清楚", "不认识"}:
        return {"party": "不清楚"}
    if answers.is_yes(text) or answers.only_objects(text):
        return None  # 对 / 不对 / 对方写错了 answer no question about who
    said = answers.correction_rest(text)
    named = _PARTY_NAMED.match(said)
    said = said[named.end():] if named else said  # 对方是楼下202的 -> 楼下202的
    return {"party": said} if len(answers.cleaned(said)) >= 1 else None


def _fill_mediation(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    text = turn.text
    if _NO_MEETING.search(text):
        return {"mediation": False}
    if asked is not None:
        head = answers.first_clause(text)
        if answers.is_no(text, turn.understanding) or answers.is_no(head):
            return {"mediation": False}
        offered = when.read(text, turn.now)
        if when.is_future(offered, turn.now):  # 下周吧 / 行 周六上午: yes, and when
            return {"mediation": True, "meeting": offered.label, "meeting_at": offered.at.isoformat()}
        if answers.is_yes(text, turn.understanding) or answers.is_yes(head) or _WANTS_MEETING.search(text):
            return {"mediation": True}
        return None
    if re.search(r"约|当面|见面|坐下来|面对面", text):
        return {"mediation": True}
    return None


def _fill_meeting_time(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    text = turn.text
    about_meeting = asked is not None or bool(values.get("mediation"))  # 要，越快越好 answers both at once
    if about_meeting and when.ANYTIME_WORDS.search(text):
        return {"meeting": "时间都行，请工作人员安排", "meeting_at": None}
    if about_meeting and when.ASAP_WORDS.search(text):
        return {"meeting": "越快越好", "meeting_at": None}
    found = when.read(text, turn.now)
    if not when.is_future(found, turn.now):
        return None
    if asked is None and not _WANTS_MEETING.search(text) and "方便" not in text:
        return None  # 昨天晚上又吵 says when it happened, not when to meet
    return {"meeting": found.label, "meeting_at": found.at.isoformat()}


def _mediation_shown(values: dict) -> str:
    return "要" if values.get("mediation") else "不用，请工作人员先去沟通"


def open_dispute_case(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    mediation = bool(values.get("mediation"))
    new = resident_slots.new_case(
        "dispute", None, values["what"], values, party=values.get("party"), mediation=mediation,
        meeting_at=values.get("meeting_at") if mediation else None,
        meeting_label=values.get("meeting") if mediation else None,
    )
    case, assignment = open_and_route(new, turn.resident, uow, turn.settings, at=turn.now)
    resident_slots.remember(turn, values)
    outcome = case_followup.opened(case, assignment, turn, uow, ask_phone=False)
    if mediation and case.reporter_id == turn.resident.id:
        return Outcome(f"{outcome.reply}\n当面调解：{values.get('meeting') or '时间待定'}，工作人员会和双方约好。")
    return outcome


DISPUTE_FORM = forms.register(
    Form(
        name="dispute",
        title="纠纷调解",
        intent="dispute",
        slots=(
            Slot("what", prompt="请说说是什么事？比如：楼上天天半夜有响声，说了也不听", fill=_fill_what, label="情况",
                 free_text=True),
            Slot("party", prompt="对方是谁、在哪儿？比如：楼上602的邻居（不清楚可回复“不知道”）", fill=_fill_party,
                 label="对方"),
            resident_slots.location_slot(f"事情发生在哪栋楼？{locations.EXAMPLE}，或“5号楼门口”"),
            Slot("mediation", prompt="需要网格员和调解员约双方坐下来当面调解吗？回复“要”或“不用”", fill=_fill_mediation,
                 label="当面调解", yes_no=True, show=_mediation_shown,
                 not_filled=lambda turn: when.refused(turn.text, turn.now)),  # 明天不在家: heard, asked again
            Slot("meeting", prompt="您什么时候方便见面？比如：周六上午。都行的话回复“随时”", fill=_fill_meeting_time,
                 label="方便时间", needed=lambda v: bool(v.get("mediation")),
                 not_filled=lambda turn: when.refused(turn.text, turn.now)),
            resident_slots.phone_slot(ask=True),
            resident_slots.PHOTOS_SLOT,
        ),
        on_complete=open_dispute_case,
    )
)


def start(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return forms.start(DISPUTE_FORM, turn, uow)
