"""Conversation state per resident: the active form and its filled slots, with an expiry."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class DialogueState(Base):
    __tablename__ = "dialogue_states"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    form: Mapped[str | None] = mapped_column(String(40), nullable=True)
    slots: Mapped[dict] = mapped_column(default=dict)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime]
