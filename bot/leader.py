"""A lease in the database that lets exactly one scheduler process run the jobs at a time.

APScheduler 3 must not share a job store between schedulers; the lease makes a second scheduler on
the same database wait as a standby and take over when the first stops renewing.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import or_, update

from storage.models import SchedulerLease
from storage.upsert import insert_ignoring_conflict

log = logging.getLogger(__name__)


def _died_here(holder: str) -> bool:
    """True when `holder` names a process on this machine that no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class LeaderLease:
    def __init__(self, session_factory, clock, *, name: str = "scheduler", ttl_seconds: float = 30.0):
        self.session_factory = session_factory
        self.clock = clock
        self.name = name
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def acquire(self) -> bool:
        """Take the lease if it is free, expired or held by a dead process on this machine, or renew
        it if we hold it. True while we lead."""
        now = self.clock.now()
        with self.session_factory() as session:
            insert_ignoring_conflict(
                session, SchedulerLease,
                {"name": self.name, "holder": self.holder, "acquired_at": now, "expires_at": now + self.ttl},
            )
            current = session.get(SchedulerLease, self.name)
            takeable = [self.holder]
            if current is not None and current.holder != self.holder and _died_here(current.holder):
                takeable.append(current.holder)  # restarted after a crash: no need to wait out the lease
                log.info("scheduler.lease_of_dead_process holder=%s", current.holder)
            result = session.execute(
                update(SchedulerLease)
                .where(
                    SchedulerLease.name == self.name,
                    or_(SchedulerLease.holder.in_(takeable), SchedulerLease.expires_at <= now),
                )
                .values(holder=self.holder, expires_at=now + self.ttl)
            )
            session.commit()
            return result.rowcount == 1

    def release(self) -> None:
        with self.session_factory() as session:
            session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == self.name, SchedulerLease.holder == self.holder)
                .values(expires_at=self.clock.now())
            )
            session.commit()
