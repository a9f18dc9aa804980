"""Reminders and notices for consultation meetings: each signed-up resident is reminded at the
configured offsets (24 h and 1 h before by default), told when a meeting is cancelled or moved, and
sent the outcome (决议) afterwards.

Reminders are outbox rows due at their time, keyed by meeting, revision and signup, so each is sent
once; moving a meeting bumps its revision, withdraws the old reminders and schedules new ones.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from handlers.pushes import enqueue, keyword, to_resident
from handlers.settings import DomainSettings
from handlers.timezone import local
from storage.models import Meeting, MeetingSignup

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
MEETINGS_PAGE = "/h5/meetings"


def _prefix(meeting: Meeting, signup: MeetingSignup | None = None) -> str:
    key = f"meeting:{meeting.id}:r{meeting.revision}:"
    return key + (f"signup:{signup.id}:" if signup is not None else "")


def _offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def _fields(meeting: Meeting) -> dict[str, str]:
    return {
        "title": meeting.title,
        "time": f"{local(meeting.starts_at):%Y-%m-%d %H:%M}",
        "place": meeting.place,
        "topic": meeting.topic or "居民议事",
    }


def schedule_reminders(meeting: Meeting, signup: MeetingSignup, settings: DomainSettings, uow: "UnitOfWork", *,
                       now: datetime) -> int:
    """Queue this signup's reminders that are still ahead; safe to call again (same keys)."""
    resident = signup.resident
    if meeting.status != "scheduled" or signup.status != "confirmed" or resident is None or not resident.subscribed:
        return 0
    queued = 0
    for offset in settings.meeting_reminders:
        due = meeting.starts_at - offset
        if due <= now:
            continue  # signed up later than this reminder: the confirmation just told them
        queued += uow.outbox.schedule(
            dedupe_key=_prefix(meeting, signup) + f"remind:{_offset_label(offset)}",
            openid=resident.openid, kind="template",
            payload={"template": "meeting_reminder", "link_path": MEETINGS_PAGE,
                     "fields": {k: keyword(v) for k, v in _fields(meeting).items()}},
            due_at=due, expires_at=meeting.starts_at, now=now,
        )
    return queued


def withdraw_reminders(meeting: Meeting, signup: MeetingSignup, uow: "UnitOfWork", *, now: datetime) -> int:
    """The resident gave up their seats: their unsent reminders for this meeting go."""
    return uow.outbox.drop_pending(_prefix(meeting, signup), now=now, reason="居民已取消报名")


def _tell_everyone(meeting: Meeting, uow: "UnitOfWork", *, now: datetime, key: str, text: str, status: str,
                   detail: str) -> int:
    told = 0
    for signup in uow.meetings.confirmed_signups(meeting.id):
        push = to_resident(
            signup.resident, now, f"meeting:{meeting.id}:{key}:signup:{signup.id}", text,
            template="meeting_notice",
            fields={"title": meeting.title, "time": _fields(meeting)["time"], "status": keyword(status, 5),
                    "detail": detail},
            link_path=MEETINGS_PAGE,
        )
        if push is not None:
            told += enqueue(push, uow, now=now)
    return told


def meeting_cancelled(meeting: Meeting, reason: str, uow: "UnitOfWork", *, now: datetime) -> int:
    """Withdraw every reminder of the meeting and tell everyone who signed up."""
    dropped = uow.outbox.drop_pending(f"meeting:{meeting.id}:", now=now, reason="议事会已取消")
    when = f"{local(meeting.starts_at):%m月%d日 %H:%M}"
    text = f"抱歉，原定{when}在{meeting.place}的{meeting.title}取消了。" + (f"原因：{reason}。" if reason else "")
    told = _tell_everyone(meeting, uow, now=now, key="cancelled", text=text + "有新安排会再通知您。",
                          status="已取消", detail=reason or "会议取消")
    log.info("meeting.cancelled meeting=%s told=%s reminders_dropped=%s", meeting.id, told, dropped)
    return told


def meeting_moved(meeting: Meeting, previous_start: datetime, settings: DomainSettings, uow: "UnitOfWork", *,
                  now: datetime) -> int:
    """After the meeting's time or place changed (and its revision was bumped): old reminders go, new
    ones are scheduled, and everyone who signed up is told."""
    dropped = uow.outbox.drop_pending(f"meeting:{meeting.id}:r{meeting.revision - 1}:", now=now, reason="议事会已改期")
    text = (f"{meeting.title}改时间了：由{local(previous_start):%m月%d日 %H:%M}改到"
            f"{local(meeting.starts_at):%m月%d日 %H:%M}，地点：{meeting.place}。您的报名仍然有效，不去了请回复“议事会不去了”。")
    told = _tell_everyone(meeting, uow, now=now, key=f"r{meeting.revision}:moved", text=text, status="已改期",
                          detail=f"改到{local(meeting.starts_at):%m月%d日%H:%M}")
    for signup in uow.meetings.confirmed_signups(meeting.id):
        schedule_reminders(meeting, signup, settings, uow, now=now)
    log.info("meeting.moved meeting=%s told=%s reminders_dropped=%s", meeting.id, told, dropped)
    return told


def send_outcome(meeting: Meeting, uow: "UnitOfWork", *, now: datetime) -> int:
    """The recorded outcome (决议) to everyone who signed up."""
    text = f"{local(meeting.starts_at):%m月%d日}{meeting.title}的决议：\n{meeting.outcome}\n谢谢您参与社区议事！"
    told = _tell_everyone(meeting, uow, now=now, key="outcome", text=text, status="有决议", detail=meeting.outcome or "")
    log.info("meeting.outcome_sent meeting=%s told=%s", meeting.id, told)
    return told
