"""Who gets a case: the red butler team member responsible for the grid, else the grid's worker."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.models import Case, Staff, Team

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Assignment:
    assignee: Staff
    team: Team | None

    @property
    def handler_label(self) -> str:
        """红色管家·工程 王师傅 / 网格员 李娜: how the resident hears who has the case."""
        if self.team is not None:
            return f"{self.team.name} {self.assignee.name}"
        return f"网格员 {self.assignee.name}"


def assign_repair(case: Case, uow: "UnitOfWork", policy: str = "responsible") -> Assignment | None:
    """Pick the member of the category's team for the case's grid (policy decides among several)."""
    team = uow.directory.team(case.community_id, case.category) if case.category else None
    members = [m for m in team.members if m.active] if team else []
    if members:
        responsible = [m for m in members if any(g.id == case.grid_id for g in m.grids)]
        pool = responsible if (policy == "responsible" and responsible) else members
        return Assignment(_least_loaded(pool, uow), team)
    worker = grid_worker(case.grid_id, uow)
    return Assignment(worker, None) if worker else None


def grid_worker(grid_id: int, uow: "UnitOfWork") -> Staff | None:
    workers = uow.directory.staff_for_grid(grid_id, role="grid_worker")
    return _least_loaded(workers, uow) if workers else None


def _least_loaded(pool: list[Staff], uow: "UnitOfWork") -> Staff:
    if len(pool) == 1:
        return pool[0]
    loads = uow.cases.open_counts_by_assignee([m.id for m in pool])
    return min(pool, key=lambda m: (loads.get(m.id, 0), m.id))
