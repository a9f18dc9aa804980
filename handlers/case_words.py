"""How a case is put to the resident who reported it: a short title, its step in the six-step loop,
who has it and what happens next. Short lines: they go into passive replies of at most 2048 bytes."""
from __future__ import annotations

from datetime import datetime

from handlers.assignment import ROLE_LABELS
from handlers.case_lifecycle import STATE_LABELS, STEPS, State
from handlers.timezone import short_time
from storage.models import Case

KIND_SHORT = {"repair": "报修", "dispute": "调解", "errand": "跑腿"}
# Which of the six steps a case in each state stands at (side states sit in the step they return to).
STEP_OF_STATE = {
    State.REPORTED: 1, State.REGISTERED: 2, State.DISPATCHED: 3, State.RETURNED: 3, State.IN_PROGRESS: 4,
    State.ESCALATED: 4, State.REOPENED: 4, State.RESOLVED: 5, State.CLOSED: 6,
}


def title(case: Case, *, width: int = 14) -> str:
    """报修·厨房水管漏水 (the description cut to `width` characters)."""
    text = " ".join(case.description.split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"{KIND_SHORT.get(case.kind, '工单')}·{text}"


def step(case: Case) -> str:
    """第3步·分流交办（已交办）, or 已取消 / 不予立案 for cases that left the loop."""
    state = State(case.state)
    label = STATE_LABELS.get(state, case.state)
    number = STEP_OF_STATE.get(state)
    if number is None:
        return label
    return f"第{number}步·{STEPS[number - 1]}（{label}）"


def holder(case: Case) -> str | None:
    """Who has the case now: 红色管家·工程 王建国 / 网格员 李娜 / 等志愿者接单."""
    if case.assignee is not None:
        if case.team is not None:
            return f"{case.team.name} {case.assignee.name}"
        return f"{ROLE_LABELS.get(case.assignee.role, '')} {case.assignee.name}".strip()
    if (case.details or {}).get("pool"):
        return "等志愿者接单"
    return None


def next_step(case: Case, now: datetime) -> str | None:
    """What the resident can expect next, with its deadline in Shanghai time."""
    state = State(case.state)
    if state in (State.DISPATCHED, State.RETURNED, State.REOPENED, State.REGISTERED) and case.accept_due_at:
        return f"{short_time(case.accept_due_at, now=now)}前联系您"
    if state in (State.IN_PROGRESS, State.ESCALATED) and case.resolve_due_at:
        return f"预计{short_time(case.resolve_due_at, now=now)}前办好"
    if state == State.RESOLVED:
        return "已办好，请您评价（回复1到5星）"
    return None


def merged_into(case: Case) -> str | None:
    """已并入工单 R20261124-0001 for a report of a problem already reported: its progress is that case's."""
    return f"已并入工单 {case.duplicate_of.number}" if case.duplicate_of is not None else None


def line(case: Case, now: datetime) -> str:
    """Two short lines for a list: number and title; step, holder, next deadline. A report merged into
    another shows that case's progress, not 不予立案."""
    followed = case.duplicate_of or case
    parts = [p for p in (merged_into(case), step(followed), holder(followed), next_step(followed, now)) if p]
    return f"{case.number} {title(case)}\n   " + "，".join(parts)
