"""What people do to a case after it is dispatched. Every change goes through the lifecycle table."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from handlers import case_lifecycle as lifecycle
from handlers.assignment import Assignment
from handlers.case_lifecycle import SYSTEM, Actor, IllegalTransition
from handlers.case_opening import dispatch, resident_actor
from handlers.settings import DomainSettings
from storage.models import Case, Resident

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

LOW_RATING = 2  # a rating of 2 or lower reopens the case (返工)


def accept(case: Case, actor: Actor, uow: "UnitOfWork", *, at: datetime, note: str = "") -> None:
    """签收. For an errand offered to a pool, the first volunteer to accept takes it."""
    grabbing = case.assignee_id is None
    uow.record(lifecycle.apply(case, "accept", actor, at=at, note=note or ("抢单成功" if grabbing else "已签收")))
    if grabbing:
        case.assignee = uow.directory.staff(actor.staff_id)
        case.assignee_id = actor.staff_id


def add_note(case: Case, actor: Actor, text: str, uow: "UnitOfWork", *, at: datetime) -> None:
    uow.record(lifecycle.apply(case, "note", actor, at=at, note=text))


def resolve(case: Case, actor: Actor, result: str, uow: "UnitOfWork", *, at: datetime,
            photos: list[str] | None = None) -> None:
    """办结: the handler reports the result (and photos); the resident is asked to rate."""
    if not result.strip():
        raise IllegalTransition("请填写办理结果")
    uow.record(lifecycle.apply(case, "resolve", actor, at=at, note=result.strip()))
    case.details = {**(case.details or {}), "result": result.strip(), "result_photos": list(photos or [])}


def rate(case: Case, resident: Resident, stars: int, comment: str, uow: "UnitOfWork", settings: DomainSettings,
         *, at: datetime) -> bool:
    """考核评价. 3–5 stars close the case; 2 or fewer reopen it and send it back to its handler.

    Returns True when the case was reopened.
    """
    if not 1 <= stars <= 5:
        raise IllegalTransition("评分请在1到5星之间")
    actor = resident_actor(resident)
    note = f"{stars}星" + (f"：{comment}" if comment else "")
    if stars > LOW_RATING:
        uow.record(lifecycle.apply(case, "rate", actor, at=at, note=note))
        case.rating, case.rating_comment = stars, comment or None
        return False
    uow.record(lifecycle.apply(case, "reopen", actor, at=at, note=f"不满意，返工。{note}"))
    case.rating, case.rating_comment = stars, comment or None
    case.reopen_count = (case.reopen_count or 0) + 1
    redispatch_after_reopen(case, uow, settings, at=at)
    return True


def redispatch_after_reopen(case: Case, uow: "UnitOfWork", settings: DomainSettings, *, at: datetime) -> None:
    """A reopened case goes back to whoever handled it, with fresh deadlines."""
    if case.assignee is None:
        return
    dispatch(case, Assignment(case.assignee, case.team), settings, uow, at=at, note="居民评价不满意，返工重办", actor=SYSTEM)


def cancel(case: Case, actor: Actor, reason: str, uow: "UnitOfWork", *, at: datetime) -> None:
    uow.record(lifecycle.apply(case, "cancel", actor, at=at, note=reason or "居民取消"))
