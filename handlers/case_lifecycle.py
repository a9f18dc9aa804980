"""The six-step closed loop as one table, and the one function allowed to change a case's state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.models import Case, CaseEvent, Staff


class State(StrEnum):
    REPORTED = "reported"
    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    RETURNED = "returned"
    ESCALATED = "escalated"
    REOPENED = "reopened"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


OPEN_STATES = frozenset(
    {State.REPORTED, State.REGISTERED, State.DISPATCHED, State.IN_PROGRESS, State.RETURNED, State.ESCALATED, State.REOPENED}
)
FINAL_STATES = frozenset({State.CLOSED, State.CANCELLED, State.REJECTED})

STATE_LABELS = {
    State.REPORTED: "已上报",
    State.REGISTERED: "已立案",
    State.DISPATCHED: "已交办",
    State.IN_PROGRESS: "处理中",
    State.RESOLVED: "已办结待评价",
    State.CLOSED: "已评价归档",
    State.RETURNED: "已退回待重派",
    State.ESCALATED: "已上报督办",
    State.REOPENED: "已返工",
    State.CANCELLED: "已取消",
    State.REJECTED: "不予立案",
}

# The six steps (六步闭环) a resident and a worker see; every action belongs to one.
STEPS = ("信息上报", "核实立案", "分流交办", "跟踪处理", "事件反馈", "考核评价")


class Capacity(StrEnum):
    """In what capacity an actor stands to a particular case."""

    SYSTEM = "system"
    REPORTER = "reporter"  # the resident who reported it
    ASSIGNEE = "assignee"  # the worker it is dispatched to
    GRID = "grid"  # responsible for the case's grid (grid worker, grid leader)
    STAFF = "staff"  # community / street staff


S, C = State, Capacity
ANY_HANDLER = {C.ASSIGNEE, C.GRID, C.STAFF}


@dataclass(frozen=True)
class Transition:
    target: State
    step: str
    allowed: frozenset[Capacity]


def _t(target: State, step: str, *allowed: Capacity) -> Transition:
    return Transition(target, step, frozenset(allowed))


TRANSITIONS: dict[tuple[State | None, str], Transition] = {
    (None, "open"): _t(S.REPORTED, "信息上报", C.SYSTEM, C.REPORTER, C.GRID, C.STAFF),
    (S.REPORTED, "register"): _t(S.REGISTERED, "核实立案", C.SYSTEM, C.GRID, C.STAFF),
    (S.REPORTED, "reject"): _t(S.REJECTED, "核实立案", C.SYSTEM, C.GRID, C.STAFF),
    # Out of scope after all (found on the spot, or returned as nobody's business): 不予立案.
    (S.REGISTERED, "reject"): _t(S.REJECTED, "核实立案", C.GRID, C.STAFF),
    (S.RETURNED, "reject"): _t(S.REJECTED, "核实立案", C.GRID, C.STAFF),
    (S.REGISTERED, "dispatch"): _t(S.DISPATCHED, "分流交办", C.SYSTEM, C.GRID, C.STAFF),
    (S.RETURNED, "dispatch"): _t(S.DISPATCHED, "分流交办", C.SYSTEM, C.GRID, C.STAFF),
    (S.REOPENED, "dispatch"): _t(S.DISPATCHED, "分流交办", C.SYSTEM, C.GRID, C.STAFF),
    (S.ESCALATED, "dispatch"): _t(S.DISPATCHED, "分流交办", C.SYSTEM, C.GRID, C.STAFF),
    (S.DISPATCHED, "accept"): _t(S.IN_PROGRESS, "跟踪处理", C.ASSIGNEE),
    (S.DISPATCHED, "return"): _t(S.RETURNED, "分流交办", C.ASSIGNEE),
    (S.IN_PROGRESS, "return"): _t(S.RETURNED, "分流交办", C.ASSIGNEE),
    (S.DISPATCHED, "transfer"): _t(S.DISPATCHED, "分流交办", C.ASSIGNEE, C.GRID, C.STAFF),
    (S.IN_PROGRESS, "transfer"): _t(S.DISPATCHED, "分流交办", C.ASSIGNEE, C.GRID, C.STAFF),
    (S.IN_PROGRESS, "note"): _t(S.IN_PROGRESS, "跟踪处理", C.ASSIGNEE, C.GRID, C.STAFF),
    (S.DISPATCHED, "escalate"): _t(S.ESCALATED, "跟踪处理", C.SYSTEM, *ANY_HANDLER),
    (S.IN_PROGRESS, "escalate"): _t(S.ESCALATED, "跟踪处理", C.SYSTEM, *ANY_HANDLER),
    (S.RETURNED, "escalate"): _t(S.ESCALATED, "跟踪处理", C.SYSTEM, C.GRID, C.STAFF),
    (S.REOPENED, "escalate"): _t(S.ESCALATED, "跟踪处理", C.SYSTEM, C.GRID, C.STAFF),
    (S.ESCALATED, "escalate"): _t(S.ESCALATED, "跟踪处理", C.SYSTEM, C.STAFF),
    # 督办 presses the handler rather than taking the case away: the assignee may still work it.
    (S.ESCALATED, "accept"): _t(S.IN_PROGRESS, "跟踪处理", C.ASSIGNEE),
    (S.ESCALATED, "note"): _t(S.ESCALATED, "跟踪处理", C.ASSIGNEE, C.GRID, C.STAFF),
    (S.ESCALATED, "resolve"): _t(S.RESOLVED, "事件反馈", C.ASSIGNEE),
    (S.IN_PROGRESS, "resolve"): _t(S.RESOLVED, "事件反馈", C.ASSIGNEE),
    (S.RESOLVED, "rate"): _t(S.CLOSED, "考核评价", C.REPORTER),
    (S.RESOLVED, "reopen"): _t(S.REOPENED, "考核评价", C.REPORTER, C.STAFF),
    (S.RESOLVED, "close"): _t(S.CLOSED, "考核评价", C.SYSTEM, C.STAFF),
    **{
        (state, "cancel"): _t(S.CANCELLED, "取消", C.REPORTER, C.STAFF)
        for state in (S.REPORTED, S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED, S.REOPENED)
    },
}

ACTION_LABELS = {
    "open": "居民上报", "register": "核实立案", "reject": "不予立案", "dispatch": "分流交办",
    "accept": "签收", "return": "退回", "transfer": "转派", "note": "进展", "escalate": "上报督办",
    "resolve": "办结", "rate": "评价", "reopen": "返工", "close": "归档", "cancel": "取消",
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a resident, a staff member (with their role) or the system."""

    role: str  # system | resident | grid_worker | grid_leader | butler | volunteer | mediator | community_staff | street_staff
    name: str
    openid: str | None = None
    staff_id: int | None = None
    grid_ids: frozenset[int] = frozenset()


SYSTEM = Actor(role="system", name="系统")


def staff_actor(staff: Staff) -> Actor:
    """A staff member as an actor, with the grids they are responsible for."""
    return Actor(
        role=staff.role, name=staff.name, openid=staff.openid, staff_id=staff.id,
        grid_ids=frozenset(g.id for g in staff.grids),
    )
STAFF_ROLES = frozenset({"community_staff", "street_staff", "department_staff"})


class IllegalTransition(Exception):
    """The action is not allowed from the case's state, or not for this actor; the message says why."""


@dataclass(frozen=True)
class CaseTransitioned:
    """Domain event: recorded by the unit of work and turned into pushes on commit."""

    case_id: int | None
    case: Case
    event: CaseEvent
    action: str
    from_state: str | None
    to_state: str


def capacities(case: Case, actor: Actor) -> set[Capacity]:
    found: set[Capacity] = set()
    if actor.role == "system":
        found.add(C.SYSTEM)
    if actor.role == "resident" and case.reporter is not None and case.reporter.openid == actor.openid:
        found.add(C.REPORTER)
    if actor.staff_id is not None:
        offered = case.assignee_id is None and actor.staff_id in (case.details or {}).get("pool", [])
        if case.assignee_id == actor.staff_id or offered:  # an errand offered to a pool: anyone may grab it
            found.add(C.ASSIGNEE)
        if case.grid_id in actor.grid_ids and actor.role in ("grid_worker", "grid_leader"):
            found.add(C.GRID)
        if actor.role in STAFF_ROLES:
            found.add(C.STAFF)
    return found


def transition_for(case: Case, action: str) -> Transition | None:
    state = State(case.state) if case.state else None
    return TRANSITIONS.get((state, action))


def can_apply(case: Case, action: str, actor: Actor) -> bool:
    transition = transition_for(case, action)
    return transition is not None and bool(transition.allowed & capacities(case, actor))


def available_actions(case: Case, actor: Actor) -> list[str]:
    """What this actor may do to this case now (for menus and workbench buttons)."""
    return [action for (state, action) in TRANSITIONS if state == case.state and can_apply(case, action, actor)]


def apply(case: Case, action: str, actor: Actor, *, at: datetime, note: str = "") -> CaseTransitioned:
    """Move the case and append its audit row; raise IllegalTransition with a Chinese reason otherwise."""
    transition = transition_for(case, action)
    label = ACTION_LABELS.get(action, action)
    if transition is None:
        current = STATE_LABELS.get(State(case.state), case.state) if case.state else "新建"
        raise IllegalTransition(f"工单当前状态为“{current}”，不能{label}")
    if not transition.allowed & capacities(case, actor):
        raise IllegalTransition(f"{actor.name}无权对该工单执行“{label}”")
    from_state = case.state
    case.state = transition.target.value
    case.updated_at = at
    event = CaseEvent(
        at=at,
        action=action,
        from_state=from_state,
        to_state=transition.target.value,
        actor_kind=actor.role,
        actor_openid=actor.openid,
        actor_name=actor.name,
        note=note,
    )
    case.events.append(event)
    return CaseTransitioned(case.id, case, event, action, from_state, transition.target.value)


def step_of(event: CaseEvent) -> str:
    transition = TRANSITIONS.get((State(event.from_state) if event.from_state else None, event.action))
    return transition.step if transition else ACTION_LABELS.get(event.action, event.action)
