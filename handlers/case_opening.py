"""A resident's report becomes a case: numbered, reported, registered and dispatched in one go."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from handlers import case_lifecycle as lifecycle
from handlers.assignment import Assignment, route
from handlers.case_lifecycle import SYSTEM, Actor
from handlers.duplicates import find_original
from handlers.settings import DomainSettings
from handlers.timezone import local
from storage.models import Case, Resident

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

KIND_LETTERS = {"repair": "R", "dispute": "D", "errand": "E"}
KIND_LABELS = {"repair": "报事报修", "dispute": "矛盾纠纷调解", "errand": "你下单我跑腿"}
CATEGORY_LABELS = {"engineering": "工程", "cleaning": "清洁", "greening": "园林", "order": "秩序", "care": "亲情"}


@dataclass(frozen=True)
class NewCase:
    kind: str
    category: str | None
    description: str
    community_id: int
    grid_id: int
    building_id: int | None = None
    unit: str | None = None
    room: str | None = None
    details: dict | None = None


def resident_actor(resident: Resident) -> Actor:
    return Actor(role="resident", name=resident.display_name, openid=resident.openid)


def open_case(new: NewCase, reporter: Resident, uow: "UnitOfWork", *, at: datetime) -> Case:
    """Number the case and record 信息上报; nothing is dispatched yet."""
    prefix = KIND_LETTERS[new.kind] + local(at).strftime("%Y%m%d")
    sequence = uow.cases.next_sequence(prefix)
    case = Case(
        number=f"{prefix}-{sequence:04d}",
        kind=new.kind,
        category=new.category,
        state=None,
        community_id=new.community_id,
        grid_id=new.grid_id,
        building_id=new.building_id,
        unit=new.unit,
        room=new.room,
        description=new.description,
        reporter=reporter,
        details=dict(new.details or {}),
        created_at=at,
        updated_at=at,
    )
    uow.cases.add(case)
    uow.record(lifecycle.apply(case, "open", resident_actor(reporter), at=at, note=new.description[:200]))
    return case


def open_and_route(
    new: NewCase, reporter: Resident, uow: "UnitOfWork", settings: DomainSettings, *, at: datetime
) -> tuple[Case, Assignment | None]:
    """The whole first half of the loop for a clear report: 信息上报, 核实立案, 分流交办.

    Without anyone to route to, the case stays registered for staff to dispatch by hand. A report that
    repeats an open case is rejected as a duplicate and linked to it; the reporter then follows the
    original, which is returned (with assignment None) so the reply names the case being worked on.
    """
    original = find_original(new, uow)
    case = open_case(new, reporter, uow, at=at)
    if original is not None:
        return merge_duplicate(case, original, reporter, uow, at=at), None
    uow.record(lifecycle.apply(case, "register", SYSTEM, at=at, note="描述清楚、位置明确，系统自动立案"))
    assignment = route(case, uow, settings)
    if assignment is not None:
        dispatch(case, assignment, settings, uow, at=at, note="系统按网格和类别自动派单")
    return case, assignment


def merge_duplicate(case: Case, original: Case, reporter: Resident, uow: "UnitOfWork", *, at: datetime) -> Case:
    """核实立案 finds a repeat: reject the new case as a duplicate and let its reporter follow the original."""
    case.duplicate_of = original
    case.duplicate_of_id = original.id
    uow.record(lifecycle.apply(case, "reject", SYSTEM, at=at, note=f"与工单 {original.number} 重复，已合并办理"))
    if original.reporter_id != reporter.id:
        uow.flush()
        uow.followers.follow(original.id, reporter.id, now=at)
    return original


def dispatch(
    case: Case, assignment: Assignment, settings: DomainSettings, uow: "UnitOfWork", *, at: datetime, note: str,
    actor: Actor = SYSTEM, action: str = "dispatch",
) -> None:
    """分流交办 (or 转派 with action="transfer"): set who has the case (or the pool that may grab it) and its deadlines."""
    if not lifecycle.can_apply(case, action, actor):
        lifecycle.apply(case, action, actor, at=at)  # raises, saying why, before anything changes
    case.assignee = assignment.assignee
    case.assignee_id = assignment.assignee.id if assignment.assignee else None
    case.team = assignment.team
    case.team_id = assignment.team.id if assignment.team else None
    case.details = {
        **(case.details or {}),
        "pool": [s.id for s in assignment.pool],
        "helpers": [s.id for s in assignment.helpers],
    }
    deadline = settings.deadline_for(case.kind, case.category)
    case.accept_due_at = settings.working_hours.add(at, deadline.accept_within)
    case.resolve_due_at = settings.working_hours.add(at, deadline.resolve_within)
    uow.record(lifecycle.apply(case, action, actor, at=at, note=f"{note}：{assignment.handler_label}"))
