"""Coordination between processes: which scheduler is the one running the jobs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

# APScheduler keeps its jobs in this table (created by migration 0004, owned by APScheduler).
APSCHEDULER_TABLE = "apscheduler_jobs"


class SchedulerLease(Base):
    """A named lease held by one process until it expires; renewed by heartbeats."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]
