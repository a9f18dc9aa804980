"""What people do to a case after it is dispatched. Every change goes through the lifecycle table."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from handlers import case_lifecycle as lifecycle
from handlers import escalation, points
from handlers.assignment import Assignment
from handlers.case_lifecycle import SYSTEM, Actor, IllegalTransition
from handlers.case_opening import dispatch, resident_actor
from handlers.settings import DomainSettings
from storage.models import Case, Resident, Staff

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

LOW_RATING = 2  # a rating of 2 or lower reopens the case (返工)


def accept(case: Case, actor: Actor, uow: "UnitOfWork", *, at: datetime, note: str = "") -> None:
    """签收. For an errand offered to a pool, the first volunteer to accept takes it."""
    grabbing = case.assignee_id is None
    uow.record(lifecycle.apply(case, "accept", actor, at=at, note=note or ("抢单成功" if grabbing else "已签收")))
    case.accept_due_at = None  # met: only the resolve deadline runs from here
    if grabbing:
        case.assignee = uow.directory.staff(actor.staff_id)
        case.assignee_id = actor.staff_id


def add_note(case: Case, actor: Actor, text: str, uow: "UnitOfWork", *, at: datetime) -> None:
    if not text.strip():
        raise IllegalTransition("请填写进展情况")
    uow.record(lifecycle.apply(case, "note", actor, at=at, note=text.strip()))


def resolve(case: Case, actor: Actor, result: str, uow: "UnitOfWork", *, at: datetime,
            photos: list[str] | None = None, settings: DomainSettings | None = None) -> None:
    """办结: the handler reports the result (and photos); the resident is asked to rate."""
    if not result.strip():
        raise IllegalTransition("请填写办理结果")
    event = lifecycle.apply(case, "resolve", actor, at=at, note=result.strip())
    uow.record(event)
    case.details = {**(case.details or {}), "result": result.strip(), "result_photos": list(photos or [])}
    points.on_resolved(case, event, settings or DomainSettings(), uow, at=at)


def rate(case: Case, resident: Resident, stars: int, comment: str, uow: "UnitOfWork", settings: DomainSettings,
         *, at: datetime) -> bool:
    """考核评价. 3–5 stars close the case; 2 or fewer reopen it and send it back to its handler.

    Returns True when the case was reopened. A case reopened `settings.escalate_after_reopens` times
    also escalates one level up the chain.
    """
    if not 1 <= stars <= 5:
        raise IllegalTransition("评分请在1到5星之间")
    actor = resident_actor(resident)
    note = f"{stars}星" + (f"：{comment}" if comment else "")
    if stars > LOW_RATING:
        event = lifecycle.apply(case, "rate", actor, at=at, note=note)
        uow.record(event)
        case.rating, case.rating_comment = stars, comment or None
        points.on_rated(case, event, stars, settings, uow, at=at)
        return False
    event = lifecycle.apply(case, "reopen", actor, at=at, note=f"不满意，返工。{note}")
    uow.record(event)
    case.rating, case.rating_comment = stars, comment or None
    case.reopen_count = (case.reopen_count or 0) + 1
    points.on_reopened(case, event, settings, uow, at=at)
    redispatch_after_reopen(case, uow, settings, at=at)
    if case.reopen_count >= settings.escalate_after_reopens and lifecycle.can_apply(case, "escalate", SYSTEM):
        escalation.escalate(case, SYSTEM, f"已返工{case.reopen_count}次", uow, at=at)
    return True


def redispatch_after_reopen(case: Case, uow: "UnitOfWork", settings: DomainSettings, *, at: datetime) -> None:
    """A reopened case goes back to whoever handled it, with fresh deadlines."""
    if case.assignee is None:
        return
    dispatch(case, Assignment(case.assignee, case.team, helpers=_helpers(case, uow)), settings, uow, at=at,
             note="居民评价不满意，返工重办", actor=SYSTEM)


def _helpers(case: Case, uow: "UnitOfWork", *, besides: int | None = None) -> tuple[Staff, ...]:
    """Whoever helps on the case (a dispute's mediator) stays on it when it changes hands."""
    found = (uow.directory.staff(i) for i in (case.details or {}).get("helpers", []) if i != besides)
    return tuple(s for s in found if s is not None and s.active)


def return_case(case: Case, actor: Actor, reason: str, uow: "UnitOfWork", *, at: datetime) -> None:
    """退回: the assignee hands the case back with a reason; the grid worker or staff re-dispatch it."""
    if not reason.strip():
        raise IllegalTransition("请说明退回原因")
    if case.assignee_id is None:
        raise IllegalTransition("这个工单还没有人接单，不能退回")
    uow.record(lifecycle.apply(case, "return", actor, at=at, note=reason.strip()))
    case.details = {**(case.details or {}), "returned_by": case.assignee_id, "pool": []}
    case.assignee, case.assignee_id = None, None


def hand_over(case: Case, actor: Actor, to: Staff, reason: str, uow: "UnitOfWork", settings: DomainSettings, *,
              at: datetime) -> None:
    """转派 (a dispatched or accepted case) or 派单 (a returned, escalated or reopened one) to a chosen person."""
    if to is None or not to.active:
        raise IllegalTransition("请选择接手的人")
    if to.id == case.assignee_id:
        raise IllegalTransition(f"工单已经在{to.name}手上")
    if to.community_id not in (None, case.community_id):
        raise IllegalTransition(f"{to.name}不在本社区，不能转派")
    action = "transfer" if case.state in (lifecycle.State.DISPATCHED, lifecycle.State.IN_PROGRESS) else "dispatch"
    label = "转派" if action == "transfer" else "人工派单"
    note = f"{actor.name}{label}" + (f"（{reason.strip()}）" if reason.strip() else "")
    previous = case.assignee_id
    assignment = Assignment(to, to.team, helpers=_helpers(case, uow, besides=to.id))
    dispatch(case, assignment, settings, uow, at=at, note=note, actor=actor, action=action)
    case.details = {**(case.details or {}), "transferred_from": previous}


def escalate(case: Case, actor: Actor, reason: str, uow: "UnitOfWork", *, at: datetime) -> None:
    """上报: the handler sends the case one level up the chain (社区 → 街道 → 部门)."""
    if not reason.strip():
        raise IllegalTransition("请说明上报原因")
    escalation.escalate(case, actor, reason.strip(), uow, at=at)


def reject(case: Case, actor: Actor, reason: str, uow: "UnitOfWork", *, at: datetime) -> None:
    """不予立案: out of scope (grid worker or staff, with the reason the resident will read)."""
    if not reason.strip():
        raise IllegalTransition("请说明不予立案的原因")
    uow.record(lifecycle.apply(case, "reject", actor, at=at, note=reason.strip()))


def cancel(case: Case, actor: Actor, reason: str, uow: "UnitOfWork", *, at: datetime) -> None:
    uow.record(lifecycle.apply(case, "cancel", actor, at=at, note=reason or "居民取消"))
