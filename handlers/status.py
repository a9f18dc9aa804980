"""查询进度: the resident's recent cases with their step in the six-step loop, who has each and the next
deadline; one case in full by its number. Long lists show five at a time (回复“更多”)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import case_words, meetings
from handlers.case_lifecycle import step_of
from handlers.timezone import local
from handlers.turn import Outcome, Turn
from nlu.entities import extract_case_number

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

PAGE = 5
MAX_LISTED = 50
TRAIL = 6  # the last steps shown for one case


def handle(turn: Turn, uow: "UnitOfWork") -> Outcome:
    number = extract_case_number(turn.text)
    if number is not None:
        return one_case(number, turn, uow)
    cases = list(uow.cases.for_reporter(turn.resident.id, limit=MAX_LISTED))
    if not cases:
        return Outcome("您还没有报过事。需要帮忙直接告诉我，比如“3号楼2单元501厨房水管漏水”。" + _signups(turn, uow))
    return _page(turn, cases, 0, uow)


def more(turn: Turn, uow: "UnitOfWork") -> Outcome:
    offset = int(((turn.state.slots or {}).get("more") or {}).get("offset", 0))
    cases = list(uow.cases.for_reporter(turn.resident.id, limit=MAX_LISTED))
    if not offset or offset >= len(cases):
        return Outcome("没有更多了。回复“进度”从头再看。")
    return _page(turn, cases, offset, uow)


def _page(turn: Turn, cases: list, offset: int, uow: "UnitOfWork") -> Outcome:
    shown = cases[offset: offset + PAGE]
    head = "您最近的事项：" if offset == 0 else f"接着看（第{offset + 1}到{offset + len(shown)}件）："
    lines = [head] + [case_words.line(c, turn.now) for c in shown]
    rest = len(cases) - offset - len(shown)
    slots = dict(turn.state.slots or {})
    if rest > 0:
        lines.append(f"还有{rest}件，回复“更多”接着看。")
        slots["more"] = {"offset": offset + len(shown)}
    else:
        slots.pop("more", None)
    turn.state.slots = slots
    lines.append("回复工单编号可看详细经过。")
    return Outcome("\n".join(lines) + (_signups(turn, uow) if offset == 0 else ""))


def _follows(case, turn: Turn, uow: "UnitOfWork") -> bool:
    """The resident reported it, or reported the same problem and was merged into it."""
    return case.reporter_id == turn.resident.id or any(r.id == turn.resident.id for r in uow.followers.of_case(case.id))


def one_case(number: str, turn: Turn, uow: "UnitOfWork") -> Outcome:
    case = uow.cases.by_number(number)
    if case is None or not _follows(case, turn, uow):
        return Outcome(f"没有找到您名下的工单 {number}，请核对一下编号。回复“进度”看您的全部事项。")
    lines = [f"{case.number} {case_words.title(case, width=20)}"]
    if (merged := case_words.merged_into(case)) is not None:  # its progress is the other case's
        first = "您之前" if case.duplicate_of.reporter_id == case.reporter_id else "邻居先"
        lines.append(f"{merged}（同一件事{first}报过了，合并办理）")
        case = case.duplicate_of
    place = f"{case.community.name}{case.location_label}"
    lines.append(f"地点：{place}")
    lines.append(f"进度：{case_words.step(case)}")
    if (who := case_words.holder(case)) is not None:
        lines.append(f"负责：{who}")
    if (upcoming := case_words.next_step(case, turn.now)) is not None:
        lines.append(f"下一步：{upcoming}")
    lines.append("经过：")
    for event in case.events[-TRAIL:]:
        at = local(event.at)
        lines.append(f"{at.month}月{at.day}日{at:%H:%M} {step_of(event)}·{event.actor_name}")
    return Outcome("\n".join(lines))


def _signups(turn: Turn, uow: "UnitOfWork") -> str:
    seats = uow.meetings.signups_of(turn.resident.id, after=turn.now)[:2]
    if not seats:
        return ""
    listed = "；".join(f"{meetings.when_label(s.meeting, turn.now)} {s.meeting.title}（{s.people}人）" for s in seats)
    return f"\n您报名的议事会：{listed}"
