"""The escalation chain 小区/网格 → 社区 → 街道 → 部门: who is told at each level, and moving a case up it."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from handlers import case_lifecycle as lifecycle
from handlers.case_lifecycle import Actor
from storage.models import Case, Staff

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

# A case starts at level 0, with its grid (the grid leader watches it); each escalation moves it up one.
LEVELS = ("grid", "community", "street", "department")
LEVEL_LABELS = {"grid": "小区/网格", "community": "社区", "street": "街道", "department": "部门"}
TOP_LEVEL = len(LEVELS) - 1


def level_name(case: Case) -> str:
    return LEVELS[min(case.escalation_level or 0, TOP_LEVEL)]


def level_label(case: Case) -> str:
    return LEVEL_LABELS[level_name(case)]


def contacts(case: Case, uow: "UnitOfWork") -> list[Staff]:
    """Who supervises the case at its current level (the grid leader at level 0 and, copied, at level 1)."""
    level = level_name(case)
    people: list[Staff] = []
    if level in ("grid", "community") and case.grid is not None and case.grid.leader is not None:
        people.append(case.grid.leader)
    if level != "grid":
        people += [s for s in uow.directory.escalation_contacts(case.community_id, level) if s not in people]
    return [s for s in people if s.active]


def escalate(case: Case, actor: Actor, reason: str, uow: "UnitOfWork", *, at: datetime) -> None:
    """上报/督办: one level up the chain (staying at the top once there); IllegalTransition when not allowed."""
    if not lifecycle.can_apply(case, "escalate", actor):
        lifecycle.apply(case, "escalate", actor, at=at)  # raises, saying why
    case.escalation_level = min((case.escalation_level or 0) + 1, TOP_LEVEL)
    note = f"{reason}，已上报{level_label(case)}督办" if reason else f"已上报{level_label(case)}督办"
    uow.record(lifecycle.apply(case, "escalate", actor, at=at, note=note))
