"""What community and street staff do with meetings: create one, add a recurring series, cancel or
move a meeting (everyone signed up is told, reminders follow), record and send the outcome (决议)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from handlers import meeting_reminders, meetings
from handlers.recurrence import RecurrenceError, trigger
from handlers.settings import DomainSettings
from storage.models import Community, Grid, Meeting, MeetingSeries

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork


class MeetingError(ValueError):
    """A staff request about a meeting that cannot be done; the message (Chinese) says why."""


@dataclass(frozen=True)
class MeetingDraft:
    """A one-off meeting, or (with `cron`) a recurring series."""

    community: str  # community code
    title: str
    starts_at: datetime | None = None  # one-off
    cron: str | None = None  # recurring: "0 15 * * wed"
    key: str | None = None  # recurring: a short unique name
    grid: str | None = None  # a grid code for a grid's own meeting
    topic: str = ""
    place: str = ""  # empty: the community's 党群服务中心
    minutes: int = 90
    capacity: int = 30


def _where(draft: MeetingDraft, uow: "UnitOfWork") -> tuple[Community, Grid | None]:
    community = uow.directory.community_by_code(draft.community)
    if community is None:
        raise MeetingError(f"没有代码为 {draft.community} 的社区")
    grid = uow.directory.grid_by_code(draft.grid) if draft.grid else None
    if draft.grid and (grid is None or grid.community_id != community.id):
        raise MeetingError(f"{community.name}没有网格 {draft.grid}")
    return community, grid


def _check(draft: MeetingDraft) -> None:
    if not draft.title.strip() or len(draft.title) > 60:
        raise MeetingError("会议名称不能为空，且不超过60个字")
    if len(draft.place) > 120:
        raise MeetingError("地点不超过120个字")
    if not 15 <= draft.minutes <= 600:
        raise MeetingError("会议时长请在15到600分钟之间")
    if not 1 <= draft.capacity <= 1000:
        raise MeetingError("名额请在1到1000人之间")


def create_meeting(draft: MeetingDraft, uow: "UnitOfWork", *, now: datetime) -> Meeting:
    _check(draft)
    if draft.starts_at is None or draft.starts_at.tzinfo is None:
        raise MeetingError("请给出开会时间，例如 2026-12-02 15:00")
    if draft.starts_at <= now:
        raise MeetingError("开会时间已经过去了")
    community, grid = _where(draft, uow)
    return uow.meetings.add_meeting(Meeting(
        community_id=community.id, grid_id=grid.id if grid else None, series_key=None, title=draft.title.strip(),
        topic=draft.topic.strip(), place=draft.place.strip() or _default_place(community),
        starts_at=draft.starts_at, ends_at=draft.starts_at + timedelta(minutes=draft.minutes),
        capacity=draft.capacity, status="scheduled", revision=1, created_at=now,
    ))


def create_series(draft: MeetingDraft, uow: "UnitOfWork", settings: DomainSettings, *, now: datetime) -> MeetingSeries:
    """A recurring meeting added by staff; its coming meetings are made at once."""
    _check(draft)
    if not draft.key or not draft.cron:
        raise MeetingError("重复的议事会需要一个简短的名字（key）和重复规则（cron，例如 0 15 * * wed）")
    try:
        trigger(draft.cron)
    except RecurrenceError as error:
        raise MeetingError(str(error)) from error
    if uow.meetings.series(draft.key) is not None:
        raise MeetingError(f"已有名为 {draft.key} 的重复议事会")
    community, grid = _where(draft, uow)
    series = uow.meetings.add_series(MeetingSeries(
        key=draft.key, community_id=community.id, grid_id=grid.id if grid else None, title=draft.title.strip(),
        topic=draft.topic.strip(), place=draft.place.strip(), cron=draft.cron, minutes=draft.minutes,
        capacity=draft.capacity, skip_holidays=True, active=True, source="staff", created_at=now,
    ))
    series.community = community
    meetings.materialise(uow, now=now, weeks_ahead=settings.meeting_weeks_ahead)
    return series


def _default_place(community: Community) -> str:
    return community.service_center or f"{community.name}党群服务中心"


def _meeting(meeting_id: int, uow: "UnitOfWork") -> Meeting:
    meeting = uow.meetings.get(meeting_id, lock=True)
    if meeting is None:
        raise MeetingError(f"没有编号为 {meeting_id} 的议事会")
    return meeting


def cancel_meeting(meeting_id: int, reason: str, uow: "UnitOfWork", *, now: datetime) -> int:
    """Cancel a coming meeting; returns how many residents are being told."""
    meeting = _meeting(meeting_id, uow)
    if meeting.status != "scheduled" or meeting.ends_at <= now:
        raise MeetingError("这场议事会已经结束或取消了")
    meeting.status = "cancelled"
    return meeting_reminders.meeting_cancelled(meeting, reason.strip(), uow, now=now)


def move_meeting(meeting_id: int, starts_at: datetime, uow: "UnitOfWork", settings: DomainSettings, *,
                 now: datetime, place: str | None = None) -> int:
    """Move a coming meeting (same length); reminders move with it and everyone signed up is told."""
    meeting = _meeting(meeting_id, uow)
    if meeting.status != "scheduled" or meeting.starts_at <= now:
        raise MeetingError("只能改还没开始的议事会")
    if starts_at.tzinfo is None or starts_at <= now:
        raise MeetingError("新的开会时间必须在将来")
    if starts_at == meeting.starts_at and (place is None or place.strip() == meeting.place):
        raise MeetingError("时间和地点都没有变化")
    previous = meeting.starts_at
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at, meeting.ends_at = starts_at, starts_at + length
    if place and place.strip():
        meeting.place = place.strip()
    meeting.revision += 1
    return meeting_reminders.meeting_moved(meeting, previous, settings, uow, now=now)


def record_outcome(meeting_id: int, outcome: str, uow: "UnitOfWork", *, now: datetime, send: bool = True) -> int:
    """Keep the outcome (决议) of a meeting that has taken place and, by default, send it to everyone
    who signed up; returns how many are being told."""
    meeting = _meeting(meeting_id, uow)
    if meeting.status == "cancelled":
        raise MeetingError("这场议事会已取消，没有决议")
    if meeting.starts_at > now:
        raise MeetingError("议事会还没开，开完再记录决议")
    if not outcome.strip():
        raise MeetingError("请写下决议内容")
    meeting.outcome, meeting.outcome_at, meeting.status = outcome.strip(), now, "done"
    return meeting_reminders.send_outcome(meeting, uow, now=now) if send else 0
