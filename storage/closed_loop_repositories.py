"""Repositories for the closed loop's own tables: followers, deadline alerts, the points ledger."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storage.models import Case, CaseFollower, DeadlineAlert, PointsEntry, Resident, Staff
from storage.upsert import insert_ignoring_conflict


class FollowerRepository:
    def __init__(self, session: Session):
        self.session = session

    def follow(self, case_id: int, resident_id: int, *, now: datetime) -> None:
        insert_ignoring_conflict(self.session, CaseFollower, {"case_id": case_id, "resident_id": resident_id, "since": now})

    def of_case(self, case_id: int) -> Sequence[Resident]:
        stmt = (
            select(Resident).join(CaseFollower, CaseFollower.resident_id == Resident.id)
            .where(CaseFollower.case_id == case_id).order_by(CaseFollower.since, Resident.id)
        )
        return self.session.scalars(stmt).all()


class DeadlineAlertRepository:
    def __init__(self, session: Session):
        self.session = session

    def claim(self, case_id: int, deadline: str, due_at: datetime, alert: str, *, now: datetime) -> bool:
        """Record that this alert is being raised; False when it was raised before (by any process)."""
        new_id = insert_ignoring_conflict(
            self.session, DeadlineAlert,
            {"case_id": case_id, "deadline": deadline, "due_at": due_at, "alert": alert, "at": now},
            returning=DeadlineAlert.id,
        )
        return new_id is not None

    def cases_with_deadlines(self, open_states: Sequence[str]) -> Sequence[Case]:
        stmt = (
            select(Case)
            .where(Case.state.in_(list(open_states)),
                   (Case.accept_due_at.is_not(None)) | (Case.resolve_due_at.is_not(None)))
            .order_by(Case.id)
            .with_for_update()  # two sweeps never escalate the same case at once
        )
        return self.session.scalars(stmt).all()


class PointsRepository:
    def __init__(self, session: Session):
        self.session = session

    def award(self, *, dedupe_key: str, staff_id: int, case_id: int | None, points: int, reason: str,
              now: datetime) -> bool:
        """Add one ledger entry unless this award was made before; True when added."""
        new_id = insert_ignoring_conflict(
            self.session, PointsEntry,
            {"dedupe_key": dedupe_key, "staff_id": staff_id, "case_id": case_id, "points": points,
             "reason": reason, "awarded_at": now},
            returning=PointsEntry.id,
        )
        return new_id is not None

    def entries(self, staff_id: int, *, limit: int = 200) -> Sequence[PointsEntry]:
        stmt = (select(PointsEntry).where(PointsEntry.staff_id == staff_id)
                .order_by(PointsEntry.awarded_at.desc(), PointsEntry.id.desc()).limit(limit))
        return self.session.scalars(stmt).all()

    def total(self, staff_id: int) -> int:
        stmt = select(func.coalesce(func.sum(PointsEntry.points), 0)).where(PointsEntry.staff_id == staff_id)
        return int(self.session.scalar(stmt))

    def totals(self, community_id: int | None) -> list[tuple[Staff, int, int]]:
        """(volunteer, total points, entries) for every volunteer of a community (all when None)."""
        stmt = (
            select(Staff, func.coalesce(func.sum(PointsEntry.points), 0), func.count(PointsEntry.id))
            .outerjoin(PointsEntry, PointsEntry.staff_id == Staff.id)
            .where(Staff.role == "volunteer")
            .group_by(Staff.id)
            .order_by(func.coalesce(func.sum(PointsEntry.points), 0).desc(), Staff.id)
            .options(selectinload(Staff.grids))
        )
        if community_id is not None:
            stmt = stmt.where(Staff.community_id == community_id)
        return [(staff, int(total), int(n)) for staff, total, n in self.session.execute(stmt).all()]
