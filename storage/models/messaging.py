"""What crossed WeChat: inbound messages (for retry de-duplication) and the outbox of pushes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class InboundMessage(Base):
    """One delivery from WeChat, keyed by MsgId (events: FromUserName+CreateTime). No content kept."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(30))
    received_at: Mapped[datetime]
    reply: Mapped[dict | None] = mapped_column(nullable=True)  # what we answered, for retries


class OutboxMessage(Base):
    """A push waiting to be sent, or the record of one that was; delivered at least once."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The sender's query: pending rows by due time. Sent rows pile up; they stay out of this index.
        Index(
            "ix_outbox_pending",
            "next_attempt_at",
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL AND dropped_at IS NULL"),
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL AND dropped_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # template | text
    payload: Mapped[dict]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(nullable=True)  # when it should reach the person
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)  # not worth sending after this
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None] = mapped_column(nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    dropped_at: Mapped[datetime | None] = mapped_column(nullable=True)  # no longer relevant (expired, cancelled)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel: Mapped[str | None] = mapped_column(String(20), nullable=True)  # wechat | log, once sent

    @property
    def status(self) -> str:
        if self.sent_at is not None:
            return "sent"
        if self.failed_at is not None:
            return "failed"
        if self.dropped_at is not None:
            return "dropped"
        return "pending"
