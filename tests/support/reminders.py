"""Load scheduled pushes straight into the outbox, and read back what arrived, for scheduler
tests and the scheduler benchmark."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from storage.db import make_engine, make_session_factory
from storage.models import OutboxMessage


def load_reminders(database_url: str, count: int, *, first_due: datetime, spread: timedelta,
                   prefix: str = "bench") -> dict[str, datetime]:
    """`count` template pushes to distinct residents, due evenly over `spread` from `first_due`.

    Returns dedupe key → due time.
    """
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    due_by_key: dict[str, datetime] = {}
    rows = []
    step = spread / max(count - 1, 1)
    for i in range(count):
        due = first_due + step * i
        key = f"{prefix}:reminder:{i}"
        due_by_key[key] = due
        rows.append({
            "dedupe_key": key, "openid": f"o_bench_{i:05d}", "kind": "template",
            "payload": {"template": "meeting_reminder", "fields": {"title": "相约周三", "time": f"{i}"}},
            "case_id": None, "created_at": first_due - timedelta(minutes=5), "due_at": due,
            "next_attempt_at": due, "expires_at": due + timedelta(hours=1), "attempts": 0,
        })
    with factory() as session:
        for start in range(0, len(rows), 1000):
            session.execute(insert(OutboxMessage), rows[start:start + 1000])
        session.commit()
    engine.dispose()
    return due_by_key


def sent_count(database_url: str, prefix: str = "bench") -> int:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(
                select(func.count()).select_from(OutboxMessage)
                .where(OutboxMessage.dedupe_key.startswith(f"{prefix}:"), OutboxMessage.sent_at.is_not(None))
            )
    finally:
        engine.dispose()


def outbox_ids_by_key(database_url: str, prefix: str = "bench") -> dict[int, str]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.startswith(f"{prefix}:"))
            )
            return dict(rows.all())
    finally:
        engine.dispose()
