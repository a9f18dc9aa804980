"""Consultation meetings (议事会): recurring ones made from config.yaml, what is coming up, seats left."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from handlers.recurrence import occurrences
from handlers.timezone import SHANGHAI, WEEKDAYS, local
from handlers.working_time import is_workday
from storage.models import Meeting

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def materialise(uow: "UnitOfWork", *, now: datetime, weeks_ahead: int = 4) -> int:
    """Make each active series' meetings from this week's Monday to `weeks_ahead` weeks on, skipping
    public holidays (unless the series says otherwise) and meetings already over. Idempotent; returns
    how many were new."""
    today = local(now).date()
    start = datetime.combine(today - timedelta(days=today.weekday()), time(0, 0), SHANGHAI)
    horizon = start + timedelta(weeks=weeks_ahead + 1)
    created = 0
    for series in uow.meetings.active_series():
        for starts in occurrences(series.cron, start, horizon):
            ends = starts + timedelta(minutes=series.minutes)
            day = starts.date()
            if ends <= now or (series.skip_holidays and day.weekday() < 5 and not is_workday(day)):
                continue
            created += uow.meetings.add_occurrence({
                "community_id": series.community_id, "grid_id": series.grid_id, "series_key": series.key,
                "title": series.title, "topic": series.topic,
                "place": series.place or series.community.service_center or f"{series.community.name}党群服务中心",
                "starts_at": starts, "ends_at": ends, "capacity": series.capacity, "status": "scheduled",
                "revision": 1, "created_at": now,
            })
    if created:
        log.info("meetings.materialised created=%s", created)
    return created


@dataclass(frozen=True)
class Opening:
    """A meeting still to come and how many seats it has left."""

    meeting: Meeting
    seats_left: int  # for whoever asks: their own seats count as free
    mine: int = 0  # seats this resident already holds

    @property
    def full(self) -> bool:
        return self.seats_left <= 0


def upcoming(community_id: int, grid_id: int | None, uow: "UnitOfWork", *, now: datetime, limit: int = 4,
             resident_id: int | None = None) -> list[Opening]:
    """The community's next meetings with seats left (a resident's own seats count as free for them)."""
    meetings = list(uow.meetings.upcoming(community_id, after=now, grid_id=grid_id, limit=limit))
    taken = uow.meetings.seats_taken([m.id for m in meetings], except_resident=resident_id)
    mine = uow.meetings.seats_of(resident_id, [m.id for m in meetings]) if resident_id is not None else {}
    return [Opening(m, max(m.capacity - taken.get(m.id, 0), 0), mine.get(m.id, 0)) for m in meetings]


def opening(meeting: Meeting, uow: "UnitOfWork", *, resident_id: int | None = None) -> Opening:
    taken = uow.meetings.seats_taken([meeting.id], except_resident=resident_id).get(meeting.id, 0)
    return Opening(meeting, max(meeting.capacity - taken, 0))


def when_label(meeting: Meeting, now: datetime) -> str:
    """明天(周三)15:00 / 12月2日(周三)15:00."""
    at, today = local(meeting.starts_at), local(now).date()
    weekday = f"(周{WEEKDAYS[at.weekday()]})"
    day = {0: "今天", 1: "明天", 2: "后天"}.get((at.date() - today).days) or f"{at.month}月{at.day}日"
    return f"{day}{weekday}{at:%H:%M}"


def choice_label(item: Opening, now: datetime) -> str:
    """One entry of the numbered list: when, what, seats; place and topic on the second line."""
    meeting = item.meeting
    seats = "已报满" if item.full else f"剩{item.seats_left - item.mine}个位置"
    if item.mine:
        seats += f"，您已报{item.mine}人"
    topic = meeting.topic if len(meeting.topic) <= 16 else meeting.topic[:15] + "…"
    second = f"地点：{meeting.place}" + (f"｜{topic}" if topic else "")
    return f"{when_label(meeting, now)} {meeting.title}，{seats}\n   {second}"
