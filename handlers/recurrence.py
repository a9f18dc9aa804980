"""Recurring schedules written as crontab lines ("0 15 * * wed": every Wednesday 15:00), in
Asia/Shanghai, read with APScheduler's cron trigger."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta

from apscheduler.triggers.cron import CronTrigger

from handlers.timezone import SHANGHAI

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # crontab: 0 and 7 are Sunday


class RecurrenceError(ValueError):
    """The schedule cannot be read; the message says how to write it."""


def weekly(weekday: int, at: time) -> str:
    """weekday as people say it (1 = Monday … 7 = Sunday) → "0 15 * * wed"."""
    if not 1 <= weekday <= 7:
        raise RecurrenceError("星期几请写 1（周一）到 7（周日）")
    return f"{at.minute} {at.hour} * * {_DAY_NAMES[weekday % 7]}"


def trigger(cron: str) -> CronTrigger:
    """A crontab line (minute hour day month day-of-week) with standard day numbers (0/7 = Sunday)."""
    fields = cron.split()
    if len(fields) != 5:
        raise RecurrenceError(f"重复规则“{cron}”应为 5 段：分 时 日 月 星期，例如 0 15 * * wed（每周三15:00）")
    minute, hour, day, month, day_of_week = fields
    try:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                           day_of_week=_named_days(day_of_week), timezone=SHANGHAI)
    except ValueError as error:
        raise RecurrenceError(f"重复规则“{cron}”无法识别：{error}") from error


def _named_days(field: str) -> str:
    # APScheduler 3 counts day-of-week from Monday = 0, crontab from Sunday = 0: write names instead.
    def name(part: str) -> str:
        base, slash, step = part.partition("/")
        return re.sub(r"\d+", lambda m: _DAY_NAMES[int(m.group()) % 8], base) + slash + step

    return ",".join(name(part) for part in field.lower().split(","))


def occurrences(cron: str, start: datetime, end: datetime) -> Iterator[datetime]:
    """The schedule's start times in [start, end), as aware Asia/Shanghai datetimes."""
    schedule = trigger(cron)
    at = schedule.get_next_fire_time(None, start.astimezone(SHANGHAI))
    while at is not None and at < end:
        yield at
        at = schedule.get_next_fire_time(at, at + timedelta(seconds=1))
