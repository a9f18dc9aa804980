"""Repositories: the only way handlers reach data. Each hides queries behind domain words."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    Building, Case, CaseCounter, Community, DialogueState, EscalationContact, Grid, InboundMessage,
    OutboxMessage, Resident, Staff, StaffGrid, Team,
)
from storage.upsert import insert_ignoring_conflict

CLOSED_STATES = ("resolved", "closed", "cancelled", "rejected")


class DirectoryRepository:
    def __init__(self, session: Session):
        self.session = session

    def communities(self) -> Sequence[Community]:
        return self.session.scalars(select(Community).order_by(Community.id)).all()

    def community(self, community_id: int) -> Community | None:
        return self.session.get(Community, community_id)

    def community_by_code(self, code: str) -> Community | None:
        return self.session.scalars(select(Community).where(Community.code == code)).one_or_none()

    def grid_by_code(self, code: str) -> Grid | None:
        return self.session.scalars(select(Grid).where(Grid.code == code)).one_or_none()

    def building(self, building_id: int) -> Building | None:
        return self.session.get(Building, building_id)

    def buildings_numbered(self, number: str) -> Sequence[Building]:
        stmt = (
            select(Building)
            .where(Building.number == number)
            .options(selectinload(Building.community))
            .order_by(Building.community_id)
        )
        return self.session.scalars(stmt).all()

    def grid(self, grid_id: int) -> Grid | None:
        return self.session.get(Grid, grid_id)

    def team(self, community_id: int, kind: str) -> Team | None:
        stmt = select(Team).where(Team.community_id == community_id, Team.kind == kind)
        return self.session.scalars(stmt).one_or_none()

    def staff(self, staff_id: int) -> Staff | None:
        return self.session.get(Staff, staff_id)

    def staff_by_openid(self, openid: str) -> Staff | None:
        return self.session.scalars(select(Staff).where(Staff.openid == openid)).one_or_none()

    def staff_for_grid(self, grid_id: int, *, role: str | None = None) -> Sequence[Staff]:
        stmt = (
            select(Staff)
            .join(StaffGrid, StaffGrid.staff_id == Staff.id)
            .where(StaffGrid.grid_id == grid_id, Staff.active.is_(True))
            .order_by(Staff.id)
        )
        if role is not None:
            stmt = stmt.where(Staff.role == role)
        return self.session.scalars(stmt).all()

    def escalation_contacts(self, community_id: int, level: str) -> Sequence[Staff]:
        stmt = (
            select(Staff)
            .join(EscalationContact, EscalationContact.staff_id == Staff.id)
            .where(EscalationContact.community_id == community_id, EscalationContact.level == level)
            .order_by(Staff.id)
        )
        return self.session.scalars(stmt).all()


class ResidentRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, openid: str) -> Resident | None:
        return self.session.scalars(select(Resident).where(Resident.openid == openid)).one_or_none()

    def get_or_create(self, openid: str, *, now: datetime) -> Resident:
        insert_ignoring_conflict(
            self.session, Resident, {"openid": openid, "created_at": now, "subscribed": True}
        )
        return self.get(openid)


class CaseRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, case: Case) -> None:
        self.session.add(case)

    def next_sequence(self, prefix: str) -> int:
        """Hand out the next number for a prefix such as R20261124; safe under concurrent writers."""
        insert_ignoring_conflict(self.session, CaseCounter, {"prefix": prefix, "last": 0})
        stmt = (
            update(CaseCounter)
            .where(CaseCounter.prefix == prefix)
            .values(last=CaseCounter.last + 1)
            .returning(CaseCounter.last)
        )
        return self.session.execute(stmt).scalar_one()

    def by_number(self, number: str) -> Case | None:
        return self.session.scalars(select(Case).where(Case.number == number.upper())).one_or_none()

    def get(self, case_id: int) -> Case | None:
        return self.session.get(Case, case_id)

    def listed(self, *, state: str | None = None, kind: str | None = None, limit: int = 200) -> Sequence[Case]:
        stmt = select(Case).order_by(Case.id.desc()).limit(limit)
        if state:
            stmt = stmt.where(Case.state == state)
        if kind:
            stmt = stmt.where(Case.kind == kind)
        return self.session.scalars(stmt.options(selectinload(Case.events))).all()

    def for_reporter(self, resident_id: int, *, limit: int = 10) -> Sequence[Case]:
        stmt = select(Case).where(Case.reporter_id == resident_id).order_by(Case.id.desc()).limit(limit)
        return self.session.scalars(stmt).all()

    def open_counts_by_assignee(self, staff_ids: list[int]) -> dict[int, int]:
        stmt = (
            select(Case.assignee_id, func.count())
            .where(Case.assignee_id.in_(staff_ids), Case.state.not_in(CLOSED_STATES))
            .group_by(Case.assignee_id)
        )
        return dict(self.session.execute(stmt).all())


class InboundRepository:
    def __init__(self, session: Session):
        self.session = session

    def claim(self, dedupe_key: str, *, openid: str, msg_type: str, now: datetime) -> bool:
        """Record a delivery; False when the same delivery was recorded before (a WeChat retry)."""
        new_id = insert_ignoring_conflict(
            self.session,
            InboundMessage,
            {"dedupe_key": dedupe_key, "openid": openid, "msg_type": msg_type, "received_at": now},
            returning=InboundMessage.id,
        )
        return new_id is not None

    def get(self, dedupe_key: str) -> InboundMessage | None:
        return self.session.scalars(
            select(InboundMessage).where(InboundMessage.dedupe_key == dedupe_key)
        ).one_or_none()

    def set_reply(self, dedupe_key: str, reply: dict | None) -> None:
        self.session.execute(
            update(InboundMessage).where(InboundMessage.dedupe_key == dedupe_key).values(reply=reply)
        )


class DialogueRepository:
    def __init__(self, session: Session):
        self.session = session

    def for_update(self, openid: str, *, now: datetime) -> DialogueState:
        """The resident's dialogue row, locked so two deliveries cannot fill the same slot."""
        insert_ignoring_conflict(self.session, DialogueState, {"openid": openid, "slots": {}, "updated_at": now})
        stmt = select(DialogueState).where(DialogueState.openid == openid).with_for_update()
        return self.session.scalars(stmt).one()


class OutboxRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, *, dedupe_key: str, openid: str, kind: str, payload: dict, case_id: int | None, now: datetime) -> bool:
        """Queue a push unless one with the same key exists; True when queued."""
        new_id = insert_ignoring_conflict(
            self.session,
            OutboxMessage,
            {
                "dedupe_key": dedupe_key, "openid": openid, "kind": kind, "payload": payload,
                "case_id": case_id, "created_at": now, "next_attempt_at": now, "attempts": 0,
            },
            returning=OutboxMessage.id,
        )
        return new_id is not None

    def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> list[OutboxMessage]:
        """Lease due rows to this sender (others skip them until the lease ends)."""
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(self.session.scalars(stmt).all())
        for row in rows:
            row.claimed_until = now + lease
        return rows

    def get(self, outbox_id: int) -> OutboxMessage | None:
        return self.session.get(OutboxMessage, outbox_id)

    def sent_to(
        self, openid: str, *, after_id: int = 0, limit: int = 50, last: int | None = None
    ) -> Sequence[OutboxMessage]:
        """Pushes delivered to one person after `after_id`, oldest first (or only the `last` few)."""
        stmt = select(OutboxMessage).where(
            OutboxMessage.openid == openid, OutboxMessage.sent_at.is_not(None), OutboxMessage.id > after_id
        )
        if last is not None:
            newest = self.session.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(last)).all()
            return list(reversed(newest))
        return self.session.scalars(stmt.order_by(OutboxMessage.id).limit(limit)).all()

    def failed(self, *, limit: int = 100) -> Sequence[OutboxMessage]:
        stmt = select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None)).order_by(OutboxMessage.id.desc())
        return self.session.scalars(stmt.limit(limit)).all()
