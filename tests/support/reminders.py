"""Residents signed up for meetings whose reminders fall due in a chosen window, made through the
real signup path (meeting_reminders.schedule_reminders), for scheduler tests and the benchmark; and
what the outbox says was sent."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from handlers import meeting_reminders
from handlers.settings import DomainSettings
from storage.db import make_engine, make_session_factory
from storage.models import Community, Meeting, MeetingSignup, OutboxMessage, Resident
from storage.unit_of_work import UnitOfWork

PER_MEETING = 100
LEAD = timedelta(hours=1)  # the reminder the benchmark exercises: an hour before


def load_reminders(database_url: str, count: int, *, first_due: datetime, spread: timedelta,
                   prefix: str = "meeting") -> dict[str, datetime]:
    """`count` residents, each signed up for one of `count / 100` meetings starting an hour after a due
    time spread evenly over `spread` from `first_due`. Returns outbox dedupe key → due time."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    settings = replace(DomainSettings(), meeting_reminders=(LEAD,))
    now = first_due - timedelta(minutes=5)
    meetings_needed = -(-count // PER_MEETING)
    step = spread / max(meetings_needed - 1, 1)
    with UnitOfWork(factory) as uow:
        community = uow.session.scalars(select(Community).order_by(Community.id)).first()
        if community is None:
            community = Community(code="bench", name="压测社区", street="压测街道", service_center="压测党群服务中心")
            uow.session.add(community)
            uow.session.flush()
        uow.session.execute(insert(Resident), [
            {"openid": f"o_bench_{i:05d}", "created_at": now, "subscribed": True} for i in range(count)])
        residents = dict(uow.session.execute(
            select(Resident.openid, Resident.id).where(Resident.openid.startswith("o_bench_"))).all())
        meetings = []
        for m in range(meetings_needed):
            starts = first_due + step * m + LEAD
            meetings.append(uow.meetings.add_meeting(Meeting(
                community_id=community.id, title="相约周三", topic="压测议题", place="党群服务中心",
                starts_at=starts, ends_at=starts + timedelta(minutes=90), capacity=PER_MEETING, status="scheduled",
                revision=1, created_at=now)))
        uow.session.execute(insert(MeetingSignup), [
            {"meeting_id": meetings[i // PER_MEETING].id, "resident_id": residents[f"o_bench_{i:05d}"], "people": 1,
             "status": "confirmed", "created_at": now, "updated_at": now} for i in range(count)])
        for meeting in meetings:
            for signup in uow.meetings.confirmed_signups(meeting.id):
                meeting_reminders.schedule_reminders(meeting, signup, settings, uow, now=now)
        uow.commit()
    due = _due_by_key(factory, prefix)
    engine.dispose()
    return due


def _due_by_key(factory, prefix: str) -> dict[str, datetime]:
    with factory() as session:
        rows = session.execute(select(OutboxMessage.dedupe_key, OutboxMessage.due_at)
                               .where(OutboxMessage.dedupe_key.startswith(f"{prefix}:")))
        return dict(rows.all())


def sent_count(database_url: str, prefix: str = "meeting") -> int:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(
                select(func.count()).select_from(OutboxMessage)
                .where(OutboxMessage.dedupe_key.startswith(f"{prefix}:"), OutboxMessage.sent_at.is_not(None))
            )
    finally:
        engine.dispose()


def outbox_ids_by_key(database_url: str, prefix: str = "meeting") -> dict[int, str]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.startswith(f"{prefix}:"))
            )
            return dict(rows.all())
    finally:
        engine.dispose()
