"""Residents who message the account, and where they live."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.directory import Building, Community


class Resident(Base):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(40), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), nullable=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(10), nullable=True)
    room: Mapped[str | None] = mapped_column(String(10), nullable=True)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_inbound_at: Mapped[datetime | None] = mapped_column(nullable=True)  # opens WeChat's 48 h window

    community: Mapped[Community | None] = relationship()
    building: Mapped[Building | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.name or "居民"
