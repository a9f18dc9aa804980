"""After 事件反馈: a resolved case the resident has not rated is asked about once more after a day,
and archived as "no feedback" after a week. Silence is never counted as satisfied."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from handlers import case_lifecycle as lifecycle
from handlers.case_lifecycle import SYSTEM
from handlers.pushes import RATE_PROMPT, enqueue, resident_push
from handlers.settings import DomainSettings
from handlers.timezone import local

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

NO_FEEDBACK_NOTE = "居民超期未评价，按“未评价”归档（不计为满意）"


@dataclass
class FollowupReport:
    asked_again: list[str] = field(default_factory=list)
    closed_without_rating: list[str] = field(default_factory=list)


def rating_followups(uow: "UnitOfWork", settings: DomainSettings, *, now: datetime) -> FollowupReport:
    """Idempotent: each resolution is asked about once and archived once, however often this runs."""
    report = FollowupReport()
    for case in uow.cases.resolved_unrated(before=now - settings.rating_reminder_after):
        resolved = next((e for e in reversed(case.events) if e.action == "resolve"), None)
        if resolved is None:
            continue
        if now - resolved.at >= settings.close_unrated_after:
            uow.record(lifecycle.apply(case, "close", SYSTEM, at=now, note=NO_FEEDBACK_NOTE))
            report.closed_without_rating.append(case.number)
            continue
        push = resident_push(
            case, case.reporter, now, f"rate-again:{resolved.id}",
            f"您的工单 {case.number} 已于 {local(resolved.at):%m月%d日} 办结，还没收到您的评价。\n{RATE_PROMPT}",
            "待评价", "请回复1到5星评价",
        )
        if push is not None and enqueue(push, uow, now=now):
            report.asked_again.append(case.number)
    return report
