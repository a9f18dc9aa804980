"""The cases a worker has in hand, for commands typed on a phone without the case number: “签收” when one
case waits to be accepted, “办结 已更换阀门” when one is being worked on, and “我的工单” to list them.

A worker with several cases is shown them with the command to type; nothing is done on a guess.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from handlers import case_lifecycle as lifecycle
from handlers import case_words
from handlers.case_lifecycle import OPEN_STATES, Actor, State
from handlers.timezone import short_time
from storage.models import Case

if TYPE_CHECKING:
    from storage.models import Staff
    from storage.unit_of_work import UnitOfWork

LISTED = 5  # a WeChat reply is read on a phone: the oldest few, then the workbench for the rest
_OPEN = [s.value for s in OPEN_STATES]


def in_hand(staff: "Staff", uow: "UnitOfWork") -> list[Case]:
    """Open cases assigned to the worker, then errands offered to them (a volunteer's pool), oldest first."""
    mine = list(uow.cases.open_cases(open_states=_OPEN, assignee_id=staff.id))
    if staff.role == "volunteer":
        offered = uow.cases.open_cases(open_states=[State.DISPATCHED.value], grid_ids=[g.id for g in staff.grids],
                                       kind="errand", unassigned=True)
        mine += [c for c in offered if staff.id in (c.details or {}).get("pool", [])]
    return mine


def for_action(staff: "Staff", actor: Actor, action: str, uow: "UnitOfWork") -> list[Case]:
    """The cases in hand this action may be applied to now."""
    return [c for c in in_hand(staff, uow) if lifecycle.can_apply(c, action, actor)]


def _line(case: Case, now: datetime) -> str:
    due = case.accept_due_at or case.resolve_due_at
    what = "待签收" if case.accept_due_at else lifecycle.STATE_LABELS[State(case.state)]
    when = f"，{short_time(due, now=now)}前{'签收' if case.accept_due_at else '办结'}" if due else ""
    return f"{case.number} {case_words.title(case)}（{what}{when}）"


def listing(cases: list[Case], now: datetime, *, head: str) -> str:
    shown = [_line(c, now) for c in cases[:LISTED]]
    more = f"\n还有{len(cases) - LISTED}件，请在工作台查看。" if len(cases) > LISTED else ""
    return head + "\n" + "\n".join(shown) + more


def choose(cases: list[Case], command: str, now: datetime) -> str:
    """Several cases fit a command without a number: which one, with the command to copy."""
    return listing(cases, now, head=f"您有{len(cases)}件工单可以{command}，请带上编号，如：{command} {cases[0].number}")
