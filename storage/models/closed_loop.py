"""The closed loop's own records: who follows a case, deadline alerts already raised, volunteer points."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.directory import Staff
from storage.models.residents import Resident


class CaseFollower(Base):
    """A resident kept informed about a case they did not open (a duplicate report merged into it)."""

    __tablename__ = "case_followers"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    since: Mapped[datetime]

    resident: Mapped[Resident] = relationship()


class DeadlineAlert(Base):
    """A deadline warning or breach already acted on; the unique key makes the sweep idempotent."""

    __tablename__ = "deadline_alerts"
    __table_args__ = (UniqueConstraint("case_id", "deadline", "due_at", "alert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    deadline: Mapped[str] = mapped_column(String(10))  # accept | resolve
    due_at: Mapped[datetime]
    alert: Mapped[str] = mapped_column(String(10))  # warning | breach
    at: Mapped[datetime]


class PointsEntry(Base):
    """One award (or correction) of volunteer points (双积分): a ledger, never a running counter."""

    __tablename__ = "points_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)  # one award per case event and reason
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), nullable=True)
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(60))
    awarded_at: Mapped[datetime]

    staff: Mapped[Staff] = relationship()
