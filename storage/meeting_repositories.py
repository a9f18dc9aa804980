"""Meetings, signups and topic proposals: the queries the consultation dialogue and `linli seed` need."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from storage.models import Meeting, MeetingSeries, MeetingSignup, TopicProposal
from storage.upsert import insert_ignoring_conflict


class MeetingRepository:
    def __init__(self, session: Session):
        self.session = session

    def active_series(self) -> Sequence[MeetingSeries]:
        stmt = select(MeetingSeries).where(MeetingSeries.active.is_(True)).options(selectinload(MeetingSeries.community))
        return self.session.scalars(stmt.order_by(MeetingSeries.id)).all()

    def series(self, key: str) -> MeetingSeries | None:
        return self.session.scalars(select(MeetingSeries).where(MeetingSeries.key == key)).one_or_none()

    def add_series(self, series: MeetingSeries) -> MeetingSeries:
        self.session.add(series)
        self.session.flush()
        return series

    def add_meeting(self, meeting: Meeting) -> Meeting:
        self.session.add(meeting)
        self.session.flush()
        return meeting

    def confirmed_signups(self, meeting_id: int) -> Sequence[MeetingSignup]:
        stmt = (
            select(MeetingSignup)
            .where(MeetingSignup.meeting_id == meeting_id, MeetingSignup.status == "confirmed")
            .options(selectinload(MeetingSignup.resident))
            .order_by(MeetingSignup.id)
        )
        return self.session.scalars(stmt).all()

    def listed(self, *, community_id: int | None = None, after: datetime | None = None,
               limit: int = 50) -> Sequence[Meeting]:
        stmt = select(Meeting).options(selectinload(Meeting.community)).order_by(Meeting.starts_at, Meeting.id)
        if community_id is not None:
            stmt = stmt.where(Meeting.community_id == community_id)
        if after is not None:
            stmt = stmt.where(Meeting.ends_at > after)
        return self.session.scalars(stmt.limit(limit)).all()

    def mark_past_done(self, *, now: datetime) -> int:
        """Meetings that have ended are done (their outcome can then be recorded and sent)."""
        result = self.session.execute(
            update(Meeting).where(Meeting.status == "scheduled", Meeting.ends_at <= now).values(status="done")
        )
        return result.rowcount

    def add_occurrence(self, values: dict) -> bool:
        """Insert one meeting of a series unless it exists (same series and start); True when inserted."""
        return insert_ignoring_conflict(self.session, Meeting, values, returning=Meeting.id) is not None

    def get(self, meeting_id: int, *, lock: bool = False) -> Meeting | None:
        """One meeting; `lock` holds its row so two residents cannot take the last seat together."""
        if not lock:
            return self.session.get(Meeting, meeting_id)
        stmt = select(Meeting).where(Meeting.id == meeting_id).with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def upcoming(
        self, community_id: int, *, after: datetime, grid_id: int | None = None, limit: int = 10
    ) -> Sequence[Meeting]:
        """Scheduled meetings of a community starting after `after`, soonest first (grid meetings of
        other grids left out)."""
        stmt = (
            select(Meeting)
            .where(Meeting.community_id == community_id, Meeting.status == "scheduled", Meeting.starts_at > after)
            .options(selectinload(Meeting.community))
            .order_by(Meeting.starts_at, Meeting.id)
            .limit(limit)
        )
        if grid_id is not None:
            stmt = stmt.where(or_(Meeting.grid_id.is_(None), Meeting.grid_id == grid_id))
        else:
            stmt = stmt.where(Meeting.grid_id.is_(None))
        return self.session.scalars(stmt).all()

    def seats_taken(self, meeting_ids: list[int], *, except_resident: int | None = None) -> dict[int, int]:
        if not meeting_ids:
            return {}
        stmt = (
            select(MeetingSignup.meeting_id, func.coalesce(func.sum(MeetingSignup.people), 0))
            .where(MeetingSignup.meeting_id.in_(meeting_ids), MeetingSignup.status == "confirmed")
            .group_by(MeetingSignup.meeting_id)
        )
        if except_resident is not None:
            stmt = stmt.where(MeetingSignup.resident_id != except_resident)
        return {meeting_id: int(taken) for meeting_id, taken in self.session.execute(stmt).all()}

    def seats_of(self, resident_id: int, meeting_ids: list[int]) -> dict[int, int]:
        """How many seats one resident holds at each of these meetings."""
        if not meeting_ids:
            return {}
        stmt = select(MeetingSignup.meeting_id, MeetingSignup.people).where(
            MeetingSignup.resident_id == resident_id, MeetingSignup.meeting_id.in_(meeting_ids),
            MeetingSignup.status == "confirmed",
        )
        return dict(self.session.execute(stmt).all())

    def signup(self, meeting_id: int, resident_id: int) -> MeetingSignup | None:
        stmt = select(MeetingSignup).where(
            MeetingSignup.meeting_id == meeting_id, MeetingSignup.resident_id == resident_id
        )
        return self.session.scalars(stmt).one_or_none()

    def add_signup(self, signup: MeetingSignup) -> MeetingSignup:
        self.session.add(signup)
        self.session.flush()
        return signup

    def signups_of(self, resident_id: int, *, after: datetime) -> Sequence[MeetingSignup]:
        """A resident's confirmed seats at meetings still to come."""
        stmt = (
            select(MeetingSignup)
            .join(Meeting, Meeting.id == MeetingSignup.meeting_id)
            .where(
                MeetingSignup.resident_id == resident_id, MeetingSignup.status == "confirmed",
                Meeting.status == "scheduled", Meeting.starts_at > after,
            )
            .order_by(Meeting.starts_at)
        )
        return self.session.scalars(stmt).all()

    def add_proposal(self, proposal: TopicProposal) -> TopicProposal:
        self.session.add(proposal)
        self.session.flush()
        return proposal
