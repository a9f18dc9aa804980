"""Consultation meetings (议事会), who signed up for them, and topics residents propose (议题)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.directory import Community, Grid
from storage.models.residents import Resident


class MeetingSeries(Base):
    """A recurring meeting (相约周三: every Wednesday 15:00), from config.yaml or added by staff.

    `cron` is a crontab line in Asia/Shanghai ("0 15 * * wed"); its meetings are made weeks ahead.
    """

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(60))
    topic: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(120), default="")  # empty: the community's 党群服务中心
    cron: Mapped[str] = mapped_column(String(60))
    minutes: Mapped[int] = mapped_column(Integer, default=90)
    capacity: Mapped[int] = mapped_column(Integer, default=30)
    skip_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(10), default="staff")  # config | staff
    created_at: Mapped[datetime]

    community: Mapped[Community] = relationship()
    grid: Mapped[Grid | None] = relationship()


class Meeting(Base):
    """One meeting. Recurring ones (相约周三) carry their series key and are made from config.yaml."""

    __tablename__ = "meetings"
    # Materialising a series twice must not double a meeting.
    __table_args__ = (UniqueConstraint("series_key", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), nullable=True)  # None: the whole community
    series_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    title: Mapped[str] = mapped_column(String(60))
    topic: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)  # seats, counted in people
    status: Mapped[str] = mapped_column(String(20), default="scheduled")  # scheduled | cancelled | done
    # Bumped when the meeting is moved: reminders are keyed by it, so old ones can be withdrawn.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)  # 决议, recorded after the meeting
    outcome_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]

    community: Mapped[Community] = relationship()
    grid: Mapped[Grid | None] = relationship()


class MeetingSignup(Base):
    """A resident's seats at a meeting; signing up again changes the number of people."""

    __tablename__ = "meeting_signups"
    __table_args__ = (UniqueConstraint("meeting_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    # Unfollowing deletes the resident, and with them their signups.
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    people: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="confirmed")  # confirmed | cancelled
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    meeting: Mapped[Meeting] = relationship()
    resident: Mapped[Resident] = relationship()


class TopicProposal(Base):
    """A topic a resident wants discussed (议题), filed for the community's next meeting."""

    __tablename__ = "topic_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), nullable=True)
    # Kept (without its author) when the resident unfollows: the topic belongs to the community.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="proposed")  # proposed | accepted | discussed | declined
    created_at: Mapped[datetime]

    meeting: Mapped[Meeting | None] = relationship()
