"""Who and where: communities, grids, buildings, staff, red butler teams, escalation contacts."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base


class Community(Base):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    street: Mapped[str] = mapped_column(String(60))
    service_center: Mapped[str] = mapped_column(String(120), default="")

    grids: Mapped[list["Grid"]] = relationship(back_populates="community", order_by="Grid.code")
    buildings: Mapped[list["Building"]] = relationship(back_populates="community")


class Grid(Base):
    __tablename__ = "grids"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    households: Mapped[int] = mapped_column(Integer, default=0)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", use_alter=True), nullable=True)

    community: Mapped[Community] = relationship(back_populates="grids")
    leader: Mapped["Staff | None"] = relationship(foreign_keys=[leader_id])
    buildings: Mapped[list["Building"]] = relationship(back_populates="grid")


def building_label(number: str) -> str:
    """How residents name a building: 3号楼, and a tower named by a letter A座."""
    return f"{number}座" if number.isalpha() and number.isascii() else f"{number}号楼"


def unit_label(unit: str) -> str:
    """2单元, 东单元, and a tower inside a numbered building by its letter: B座 (3号楼B座)."""
    return f"{unit}座" if unit.isalpha() and unit.isascii() else f"{unit}单元"


def place_label(building: "Building", unit: str | None, room: str | None) -> str:
    """3号楼2单元501, 3号楼B座501, A座1502: a place as residents and workers read it."""
    return building.label + (unit_label(unit) if unit else "") + (room or "")


class Building(Base):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), index=True)
    number: Mapped[str] = mapped_column(String(10))  # "3" (3号楼) or "A" (A座): what residents say
    units: Mapped[list] = mapped_column(default=list)  # ["1", "2", "3"] or ["东", "西"]
    floors: Mapped[int] = mapped_column(Integer, default=6)
    rooms_per_floor: Mapped[int] = mapped_column(Integer, default=2)

    community: Mapped[Community] = relationship(back_populates="buildings")
    grid: Mapped[Grid] = relationship(back_populates="buildings")

    @property
    def label(self) -> str:
        return building_label(self.number)


class Team(Base):
    """A red butler team (红色管家) of one kind in one community."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("community_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # engineering | cleaning | greening | order | care
    name: Mapped[str] = mapped_column(String(60))

    community: Mapped[Community] = relationship()
    members: Mapped[list["Staff"]] = relationship(back_populates="team", order_by="Staff.id")


class StaffGrid(Base):
    """A staff member is responsible for a grid (grid workers, team members, volunteers, mediators)."""

    __tablename__ = "staff_grids"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id", ondelete="CASCADE"), primary_key=True)


class Staff(Base):
    """Anyone who works cases: grid workers and leaders, butlers, volunteers, mediators, staff."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    role: Mapped[str] = mapped_column(String(30))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), nullable=True, index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)
    skills: Mapped[list] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    community: Mapped[Community | None] = relationship()
    team: Mapped[Team | None] = relationship(back_populates="members")
    grids: Mapped[list[Grid]] = relationship(secondary="staff_grids", order_by="Grid.code")


class EscalationContact(Base):
    """Who receives a 督办 at each level of a community's chain (网格 → 社区 → 街道 → 部门)."""

    __tablename__ = "escalation_contacts"
    __table_args__ = (UniqueConstraint("community_id", "level", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))  # grid | community | street | department
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))

    staff: Mapped[Staff] = relationship()
