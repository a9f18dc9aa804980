"""考核总览: a month of the closed loop for the people who answer for it (社区、街道工作人员, 网格长):
per community, what was reported, resolved, rated and how well, what ran late; per grid, what is open now.
The figures are the weekly summary's (`week_stats`) over a calendar month, and the grid leader's digest."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from handlers.timezone import SHANGHAI, local

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
EARLIEST_YEAR = 2000


class BadMonth(ValueError):
    """A month that cannot be shown; the message says why, in Chinese."""


@dataclass(frozen=True)
class CommunityMonth:
    name: str
    reported: int
    resolved: int
    rated: int
    satisfaction: str  # 90% / 暂无评价
    reopened: int
    overdue: int
    escalated: int
    grids: list[dict]


def month_of(text: str | None, now: datetime) -> date:
    """The first day of the month asked for (?month=2026-11), this month when none is."""
    if not text:
        today = local(now).date()
        return today.replace(day=1)
    match = _MONTH.match(text.strip())
    if match is None:
        raise BadMonth("月份的写法是 2026-11")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < EARLIEST_YEAR:
        raise BadMonth("没有这个月份")
    first = date(year, month, 1)
    if first > local(now).date():
        raise BadMonth("这个月还没到")
    return first


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_overview(uow: "UnitOfWork", first: date, *, now: datetime, community_id: int | None) -> list[CommunityMonth]:
    """One row per community the viewer answers for (every community for street staff: None)."""
    start = datetime.combine(first, time(0, 0), SHANGHAI)
    end = datetime.combine(_next_month(first), time(0, 0), SHANGHAI)  # this month: up to and including now
    found = []
    for community in uow.directory.communities():
        if community_id is not None and community.id != community_id:
            continue
        stats = uow.cases.week_stats(community.id, start=start, end=end, now=now)
        grids = []
        for grid in community.grids:
            load = uow.cases.grid_workload(grid.id, now=now)
            grids.append({"code": grid.code, "name": grid.name, "open": load.open, "overdue": load.overdue,
                          "awaiting_rating": load.awaiting_rating, "oldest_overdue": load.oldest_overdue})
        found.append(CommunityMonth(
            name=community.name, reported=stats.reported, resolved=stats.resolved, rated=stats.rated,
            satisfaction=f"{stats.satisfied * 100 // stats.rated}%" if stats.rated else "暂无评价",
            reopened=stats.reopened, overdue=stats.overdue, escalated=stats.escalated, grids=grids,
        ))
    return found
