"""Volunteer points (双积分): awarded per completed errand and per good rating, as ledger entries."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from handlers.case_lifecycle import CaseTransitioned
from handlers.settings import DomainSettings
from storage.models import Case

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

COMPLETED = "完成跑腿"
GOOD_RATING = "居民好评"
TAKEN_BACK = "返工扣回"


def _volunteer_errand(case: Case) -> bool:
    return case.kind == "errand" and case.assignee is not None and case.assignee.role == "volunteer"


def _award(case: Case, event: CaseTransitioned, points: int, reason: str, uow: "UnitOfWork", at: datetime) -> None:
    uow.flush()  # the event's id keys the award, so a replayed event never pays twice
    uow.points.award(
        dedupe_key=f"case:{case.number}:event:{event.event.id}:{reason}", staff_id=case.assignee_id,
        case_id=case.id, points=points, reason=reason, now=at,
    )


def on_resolved(case: Case, event: CaseTransitioned, settings: DomainSettings, uow: "UnitOfWork", *, at: datetime) -> None:
    if _volunteer_errand(case) and settings.points.errand_completed:
        _award(case, event, settings.points.errand_completed, COMPLETED, uow, at)


def on_rated(case: Case, event: CaseTransitioned, stars: int, settings: DomainSettings, uow: "UnitOfWork", *,
             at: datetime) -> None:
    if _volunteer_errand(case) and stars >= settings.points.good_rating_min_stars and settings.points.good_rating:
        _award(case, event, settings.points.good_rating, GOOD_RATING, uow, at)


def on_reopened(case: Case, event: CaseTransitioned, settings: DomainSettings, uow: "UnitOfWork", *,
                at: datetime) -> None:
    """Redoing an errand: the completion award is taken back by a correcting entry (the ledger never changes)."""
    if _volunteer_errand(case) and settings.points.errand_completed:
        _award(case, event, -settings.points.errand_completed, TAKEN_BACK, uow, at)
