"""The daily digest to each grid leader (网格长) and the weekly evaluation summary to community staff.

Both become template pushes in the outbox, keyed by date so running a job twice sends nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from handlers.pushes import PushRequest, enqueue, keyword
from handlers.timezone import SHANGHAI, local

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

DIGEST_STALE_AT = time(12, 0)  # a morning digest read after noon is old news: drop it


@dataclass
class DigestReport:
    queued: int = 0
    skipped_empty: int = 0


def daily_digests(uow: "UnitOfWork", *, now: datetime) -> DigestReport:
    """Queue today's digest of open and overdue cases for every grid leader with open cases."""
    report = DigestReport()
    today = local(now).date()
    stale = datetime.combine(today, DIGEST_STALE_AT, SHANGHAI)
    for community in uow.directory.communities():
        for grid in community.grids:
            if grid.leader is None:
                continue
            counts = uow.cases.grid_workload(grid.id, now=now)
            if counts.open == 0:
                report.skipped_empty += 1
                continue
            queued = enqueue(
                PushRequest(
                    openid=grid.leader.openid,
                    kind="template",
                    template="daily_digest",
                    dedupe_key=f"digest:{today:%Y%m%d}:{grid.code}:{grid.leader.openid}",
                    fields={
                        "date": keyword(f"{today:%Y-%m-%d}"),
                        "grid": keyword(grid.name),
                        "open": keyword(f"在办{counts.open}件 待评价{counts.awaiting_rating}件"),
                        "overdue": keyword(f"超期{counts.overdue}件"),
                        "oldest": keyword(counts.oldest_overdue or "无"),
                    },
                    link_path="/w/",
                ),
                uow, now=now, expires_at=stale,
            )
            report.queued += queued
    return report


def weekly_summaries(uow: "UnitOfWork", *, now: datetime) -> DigestReport:
    """Queue last week's (Monday–Sunday) evaluation summary for each community's staff."""
    report = DigestReport()
    this_monday = local(now).date() - timedelta(days=local(now).weekday())
    start = datetime.combine(this_monday - timedelta(days=7), time(0, 0), SHANGHAI)
    end = datetime.combine(this_monday, time(0, 0), SHANGHAI)
    label = f"{start:%m月%d日}-{(end - timedelta(days=1)):%m月%d日}"
    for community in uow.directory.communities():
        stats = uow.cases.week_stats(community.id, start=start, end=end, now=now)
        satisfaction = f"{stats.satisfied * 100 // stats.rated}%" if stats.rated else "暂无评价"
        for staff in uow.directory.community_staff(community.id):
            report.queued += enqueue(
                PushRequest(
                    openid=staff.openid,
                    kind="template",
                    template="weekly_summary",
                    dedupe_key=f"weekly:{start:%Y%m%d}:{community.code}:{staff.openid}",
                    fields={
                        "week": keyword(label),
                        "community": keyword(community.name),
                        "cases": keyword(f"受理{stats.reported}件 办结{stats.resolved}件"),
                        "rating": keyword(f"满意率{satisfaction} 返工{stats.reopened}件"),
                        "overdue": keyword(f"超期{stats.overdue}件 督办{stats.escalated}件"),
                    },
                    link_path="/w/",
                ),
                uow, now=now,
            )
    return report
