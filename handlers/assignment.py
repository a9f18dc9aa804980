"""Who gets a case. Repairs: the red butler team member for the grid; disputes: the grid worker with a
mediator; errands: the grid's volunteers (offered to all to grab, or assigned to one)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.settings import DomainSettings
from storage.models import Case, Staff, Team

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Assignment:
    """The outcome of routing: one assignee, or a pool offered the case to grab; plus helpers."""

    assignee: Staff | None
    team: Team | None = None
    pool: tuple[Staff, ...] = ()  # volunteers offered an errand; the first to accept takes it
    helpers: tuple[Staff, ...] = ()  # e.g. the mediator who joins the grid worker on a dispute

    @property
    def handler_label(self) -> str:
        """How the resident hears who has the case: 红色管家·工程 王建国 / 网格员 李娜 / 3 位志愿者."""
        if self.assignee is None:
            return f"附近 {len(self.pool)} 位志愿者"
        if self.team is not None:
            label = f"{self.team.name} {self.assignee.name}"
        else:
            label = f"{ROLE_LABELS.get(self.assignee.role, '')} {self.assignee.name}".strip()
        for helper in self.helpers:
            label += f"、{ROLE_LABELS.get(helper.role, '')} {helper.name}"
        return label


ROLE_LABELS = {
    "grid_worker": "网格员", "grid_leader": "网格长", "butler": "红色管家", "volunteer": "志愿者",
    "mediator": "调解员", "community_staff": "社区", "street_staff": "街道", "building_leader": "楼长",
}


def route(case: Case, uow: "UnitOfWork", settings: DomainSettings) -> Assignment | None:
    """Route a registered case by its kind; None when nobody is available (staff must dispatch by hand)."""
    if case.kind == "repair":
        return assign_repair(case, uow, settings.assignment_policy)
    if case.kind == "dispute":
        return assign_dispute(case, uow)
    if case.kind == "errand":
        return assign_errand(case, uow, settings.errand_mode, settings)
    raise ValueError(f"unknown case kind {case.kind!r}")


def assign_repair(case: Case, uow: "UnitOfWork", policy: str = "responsible") -> Assignment | None:
    """The member of the category's team for the case's grid (the policy decides among several)."""
    team = uow.directory.team(case.community_id, case.category) if case.category else None
    members = [m for m in team.members if m.active] if team else []
    if members:
        responsible = [m for m in members if any(g.id == case.grid_id for g in m.grids)]
        if policy == "round_robin":
            return Assignment(_next_in_turn(members, team, uow), team)
        pool = responsible if (policy == "responsible" and responsible) else members
        return Assignment(_least_loaded(pool, uow), team)
    worker = grid_worker(case.grid_id, uow)
    return Assignment(worker) if worker else None


def assign_dispute(case: Case, uow: "UnitOfWork") -> Assignment | None:
    """The grid worker handles a dispute, with a mediator of the grid alongside."""
    worker = grid_worker(case.grid_id, uow)
    mediators = list(uow.directory.staff_for_grid(case.grid_id, role="mediator"))
    if worker is None and not mediators:
        return None
    if worker is None:
        return Assignment(_least_loaded(mediators, uow))
    helpers = (_least_loaded(mediators, uow),) if mediators else ()
    return Assignment(worker, helpers=helpers)


def errand_skill(description: str, skills: dict[str, tuple[str, ...]]) -> str | None:
    """The skill an errand calls for (买药, 陪诊, …), from the words of the request; None for plain 跑腿."""
    for skill, words in skills.items():
        if skill in description or any(word in description for word in words):
            return skill
    return None


def assign_errand(case: Case, uow: "UnitOfWork", mode: str = "grab",
                  settings: DomainSettings | None = None) -> Assignment | None:
    """Volunteers near the case who are available and have the skill: the grid's first, then the
    community's. All of them may grab it, or (assign mode) the least loaded one gets it."""
    settings = settings or DomainSettings()
    skill = errand_skill(case.description or "", settings.errand_skills)
    nearby = list(uow.directory.staff_for_grid(case.grid_id, role="volunteer"))
    further = [v for v in uow.directory.staff_of_community(case.community_id) if v.role == "volunteer" and v not in nearby]
    loads = uow.cases.open_counts_by_assignee([v.id for v in nearby + further]) if nearby or further else {}
    tiers = []
    for people in (nearby, further):
        free = [v for v in people if loads.get(v.id, 0) < settings.volunteer_max_open]
        tiers += [[v for v in free if skill in (v.skills or [])], free] if skill else [free]
    # With a skill: skilled nearby, anyone nearby, skilled further, anyone further.
    candidates = next((tier for tier in tiers if tier), [])
    if not candidates:
        return None
    if skill:
        case.details = {**(case.details or {}), "skill": skill}
    if mode == "assign":
        return Assignment(_least_loaded(candidates, uow))
    return Assignment(None, pool=tuple(candidates))


def grid_worker(grid_id: int, uow: "UnitOfWork") -> Staff | None:
    workers = uow.directory.staff_for_grid(grid_id, role="grid_worker")
    return _least_loaded(list(workers), uow) if workers else None


def _next_in_turn(members: list[Staff], team: Team, uow: "UnitOfWork") -> Staff:
    """Round robin within a team: whoever has been given the fewest of the team's cases so far."""
    given = uow.cases.counts_by_assignee([m.id for m in members], team_id=team.id)
    return min(members, key=lambda m: (given.get(m.id, 0), m.id))


def _least_loaded(pool: list[Staff], uow: "UnitOfWork") -> Staff:
    if len(pool) == 1:
        return pool[0]
    loads = uow.cases.open_counts_by_assignee([m.id for m in pool])
    return min(pool, key=lambda m: (loads.get(m.id, 0), m.id))
