"""Repositories: the only way handlers reach data. Each hides queries behind domain words."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case as sql_case, delete, func, or_, select, text, update
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    Building, Case, CaseCounter, CaseEvent, Community, DialogueState, EscalationContact, Grid, InboundMessage,
    OutboxMessage, Resident, Staff, StaffGrid, Team,
)
from storage.upsert import insert_ignoring_conflict

CLOSED_STATES = ("resolved", "closed", "cancelled", "rejected")
WORKING_STATES = ("registered", "dispatched", "in_progress", "returned", "escalated", "reopened")


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

    def community_staff(self, community_id: int) -> Sequence[Staff]:
        stmt = select(Staff).where(
            Staff.community_id == community_id, Staff.role == "community_staff", Staff.active.is_(True)
        )
        return self.session.scalars(stmt.order_by(Staff.id)).all()

    def staff_of_community(self, community_id: int) -> Sequence[Staff]:
        """Active people of a community (and of the street above it), for choosing whom to hand a case to."""
        stmt = (
            select(Staff)
            .where(Staff.active.is_(True), or_(Staff.community_id == community_id, Staff.community_id.is_(None)))
            .order_by(Staff.role, Staff.id)
        )
        return self.session.scalars(stmt).all()

    def escalation_contacts(self, community_id: int, level: str) -> Sequence[Staff]:
        stmt = (
            select(Staff)
            .join(EscalationContact, EscalationContact.staff_id == Staff.id)
            .where(EscalationContact.community_id == community_id, EscalationContact.level == level)
            .order_by(Staff.id)
        )
        return self.session.scalars(stmt).all()


@dataclass(frozen=True)
class Workload:
    open: int
    overdue: int
    awaiting_rating: int
    oldest_overdue: str | None  # case number


@dataclass(frozen=True)
class WeekStats:
    reported: int
    resolved: int
    rated: int
    satisfied: int  # rated 4 or 5 stars
    reopened: int
    overdue: int
    escalated: int


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

    def forget(self, openid: str, *, now: datetime) -> None:
        """Unsubscribed: delete the resident and what identifies them; cases stay without a reporter,
        unsent pushes to them are withdrawn."""
        resident = self.get(openid)
        if resident is not None:
            self.session.execute(update(Case).where(Case.reporter_id == resident.id).values(reporter_id=None))
            self.session.delete(resident)
        self.session.execute(delete(DialogueState).where(DialogueState.openid == openid))
        self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.openid == openid, OutboxMessage.sent_at.is_(None),
                   OutboxMessage.failed_at.is_(None), OutboxMessage.dropped_at.is_(None))
            .values(dropped_at=now, last_error="居民已取消关注")
        )
        # Keep this delivery's own row (the others go): it answers a retried unsubscribe.
        self.session.execute(
            delete(InboundMessage).where(InboundMessage.openid == openid, InboundMessage.msg_type != "event:unsubscribe")
        )


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

    def resolved_unrated(self, *, before: datetime, limit: int = 500) -> Sequence[Case]:
        """Resolved cases still waiting for a rating, last changed before `before`."""
        stmt = (
            select(Case)
            .where(Case.state == "resolved", Case.updated_at < before)
            .order_by(Case.updated_at, Case.id)
            .limit(limit)
            .options(selectinload(Case.events))
        )
        return self.session.scalars(stmt).all()

    def grid_workload(self, grid_id: int, *, now: datetime) -> Workload:
        """Cases being worked on in a grid, how many are past a deadline, how many await a rating."""
        cases = self.session.scalars(
            select(Case).where(Case.grid_id == grid_id, Case.state.in_(WORKING_STATES + ("resolved",)))
        ).all()
        working = [c for c in cases if c.state in WORKING_STATES]
        overdue = sorted(
            (c for c in working if _overdue(c, now)), key=lambda c: (c.resolve_due_at or c.created_at, c.id)
        )
        return Workload(
            open=len(working), overdue=len(overdue), awaiting_rating=len(cases) - len(working),
            oldest_overdue=overdue[0].number if overdue else None,
        )

    def week_stats(self, community_id: int, *, start: datetime, end: datetime, now: datetime) -> WeekStats:
        """What happened to a community's cases between `start` and `end`, from the event trail."""
        rows = self.session.execute(
            select(CaseEvent.action, Case.rating)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(Case.community_id == community_id, CaseEvent.at >= start, CaseEvent.at < end)
        ).all()
        count = lambda action: sum(1 for a, _ in rows if a == action)  # noqa: E731
        rated = [(a, r) for a, r in rows if a in ("rate", "reopen")]
        due_in_week = self.session.scalars(
            select(Case).where(Case.community_id == community_id, Case.resolve_due_at >= start,
                               Case.resolve_due_at < end)
        ).all()
        return WeekStats(
            reported=count("open"), resolved=count("resolve"), rated=len(rated),
            satisfied=sum(1 for a, r in rated if a == "rate" and (r or 0) >= 4), reopened=count("reopen"),
            overdue=sum(1 for c in due_in_week if _finished_late(c, now)), escalated=count("escalate"),
        )

    def open_at_building(self, kind: str, category: str | None, building_id: int, open_states: list[str]) -> Sequence[Case]:
        """Open cases of a kind at a building. On PostgreSQL this first takes a per-building lock until
        the transaction ends, so two reports of one problem arriving together cannot both miss each other
        (SQLite writers are already serialised by BEGIN IMMEDIATE)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(:namespace, :building)"),
                                 {"namespace": 5045, "building": building_id})
        stmt = select(Case).where(
            Case.kind == kind, Case.building_id == building_id, Case.state.in_(open_states),
            Case.duplicate_of_id.is_(None),
        )
        stmt = stmt.where(Case.category == category) if category else stmt.where(Case.category.is_(None))
        return self.session.scalars(stmt.order_by(Case.id)).all()

    def open_cases(self, *, open_states: Sequence[str], assignee_id: int | None = None,
                   grid_ids: Sequence[int] | None = None, community_id: int | None = None,
                   kind: str | None = None, unassigned: bool = False, limit: int = 300) -> Sequence[Case]:
        """Open cases narrowed by who has them, where they are, or what they are; oldest first."""
        stmt = select(Case).where(Case.state.in_(list(open_states)))
        if assignee_id is not None:
            stmt = stmt.where(Case.assignee_id == assignee_id)
        if grid_ids is not None:
            stmt = stmt.where(Case.grid_id.in_(list(grid_ids)))
        if community_id is not None:
            stmt = stmt.where(Case.community_id == community_id)
        if kind is not None:
            stmt = stmt.where(Case.kind == kind)
        if unassigned:
            stmt = stmt.where(Case.assignee_id.is_(None))
        return self.session.scalars(stmt.order_by(Case.created_at, Case.id).limit(limit)).all()

    def counts_by_assignee(self, staff_ids: list[int], *, team_id: int | None = None) -> dict[int, int]:
        """How many cases (open or not) each person has been given, within one team when given."""
        stmt = select(Case.assignee_id, func.count()).where(Case.assignee_id.in_(staff_ids)).group_by(Case.assignee_id)
        if team_id is not None:
            stmt = stmt.where(Case.team_id == team_id)
        return dict(self.session.execute(stmt).all())

    def open_counts_by_assignee(self, staff_ids: list[int]) -> dict[int, int]:
        stmt = (
            select(Case.assignee_id, func.count())
            .where(Case.assignee_id.in_(staff_ids), Case.state.not_in(CLOSED_STATES))
            .group_by(Case.assignee_id)
        )
        return dict(self.session.execute(stmt).all())


def _overdue(case: Case, now: datetime) -> bool:
    if case.state == "dispatched" and case.accept_due_at is not None and case.accept_due_at < now:
        return True
    return case.resolve_due_at is not None and case.resolve_due_at < now


def _finished_late(case: Case, now: datetime) -> bool:
    """Missed its resolve deadline: resolved after it, or still not resolved by it."""
    resolved_at = next((e.at for e in reversed(case.events) if e.action == "resolve"), None)
    if resolved_at is not None:
        return resolved_at > case.resolve_due_at
    return case.state in WORKING_STATES and case.resolve_due_at < now


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

    def add(
        self, *, dedupe_key: str, openid: str, kind: str, payload: dict, case_id: int | None, now: datetime,
        due_at: datetime | None = None, expires_at: datetime | None = None,
    ) -> bool:
        """Queue a push (now, or at `due_at`) unless one with the same key exists; True when queued."""
        due = due_at or now
        new_id = insert_ignoring_conflict(
            self.session,
            OutboxMessage,
            {
                "dedupe_key": dedupe_key, "openid": openid, "kind": kind, "payload": payload,
                "case_id": case_id, "created_at": now, "due_at": due, "next_attempt_at": due,
                "expires_at": expires_at, "attempts": 0,
            },
            returning=OutboxMessage.id,
        )
        return new_id is not None

    def schedule(self, *, dedupe_key: str, openid: str, kind: str, payload: dict, due_at: datetime,
                 expires_at: datetime | None, now: datetime) -> bool:
        """Queue a push for `due_at`; one withdrawn earlier under the same key comes back (a resident who
        gave up their seat and signed up again). True when queued or brought back."""
        if self.add(dedupe_key=dedupe_key, openid=openid, kind=kind, payload=payload, case_id=None, now=now,
                    due_at=due_at, expires_at=expires_at):
            return True
        result = self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == dedupe_key, OutboxMessage.sent_at.is_(None),
                   OutboxMessage.dropped_at.is_not(None))
            .values(dropped_at=None, last_error=None, failed_at=None, payload=payload, due_at=due_at,
                    next_attempt_at=due_at, expires_at=expires_at, attempts=0)
        )
        return result.rowcount == 1

    def drop_pending(self, key_prefix: str, *, now: datetime, reason: str) -> int:
        """Withdraw unsent pushes whose key starts with `key_prefix` (a meeting cancelled or moved)."""
        result = self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.dedupe_key.startswith(key_prefix, autoescape=True),
                OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None), OutboxMessage.dropped_at.is_(None),
            )
            .values(dropped_at=now, last_error=reason)
        )
        return result.rowcount

    def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> list[OutboxMessage]:
        """Lease due rows to this sender (others skip them until the lease ends)."""
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.dropped_at.is_(None),
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

    def failed(self, *, limit: int = 100, community_id: int | None = None) -> Sequence[OutboxMessage]:
        """Pushes that failed for good, newest first; only those about one community's cases when given."""
        stmt = select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None)).order_by(OutboxMessage.id.desc())
        if community_id is not None:
            stmt = stmt.join(Case, Case.id == OutboxMessage.case_id).where(Case.community_id == community_id)
        return self.session.scalars(stmt.limit(limit)).all()

    def status_counts(self, *, community_id: int | None = None) -> dict[str, int]:
        """How many pushes are sent, pending (incl. retrying) and failed (about one community's cases when given)."""
        status = sql_case(
            (OutboxMessage.sent_at.is_not(None), "sent"), (OutboxMessage.failed_at.is_not(None), "failed"),
            else_="pending",
        )
        stmt = select(status, func.count()).select_from(OutboxMessage).group_by(status)
        if community_id is not None:
            stmt = stmt.join(Case, Case.id == OutboxMessage.case_id).where(Case.community_id == community_id)
        counts = dict(self.session.execute(stmt).all())
        return {name: int(counts.get(name, 0)) for name in ("sent", "pending", "failed")}
