"""Who may see a case: its assignee, its team, the workers of its grid, community and street staff."""
from __future__ import annotations

from handlers.case_lifecycle import staff_actor
from storage.models import Case, Staff

__all__ = ["may_view", "staff_actor"]


def may_view(case: Case, openid: str, staff: Staff | None, *, followers: frozenset[str] = frozenset()) -> bool:
    """Reporters and followers (residents whose duplicate report was merged) see their case; staff by role."""
    if case.reporter is not None and case.reporter.openid == openid:
        return True
    if openid in followers:
        return True
    if staff is None or not staff.active:
        return False
    if staff.role == "street_staff":
        return True
    if staff.role in ("community_staff", "department_staff"):
        return staff.community_id in (None, case.community_id)
    return (
        case.assignee_id == staff.id
        or (case.team_id is not None and staff.team_id == case.team_id)
        or any(grid.id == case.grid_id for grid in staff.grids)
    )
