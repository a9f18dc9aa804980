"""Deadlines counted in working time: Chinese public holidays and make-up working days included."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from datetime import date, datetime, time, timedelta

import chinese_calendar

from handlers.timezone import SHANGHAI

log = logging.getLogger(__name__)


def is_workday(day: date) -> bool:
    """True on working days, including make-up Saturdays (调休上班); false on public holidays."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # The State Council publishes next year's holidays in late autumn; until the library
        # knows the year, fall back to Monday–Friday (New Year's Day off) and say so once.
        _warn_unknown_year(day.year)
        return day.weekday() < 5 and (day.month, day.day) != (1, 1)


@cache
def _warn_unknown_year(year: int) -> None:
    log.warning("working_time.calendar_unknown year=%s fallback=weekdays (upgrade chinesecalendar)", year)


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(8, 30)
    end: time = time(17, 30)

    def add_hours(self, at: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `at` (clock stops outside hours and on days off)."""
        remaining = timedelta(hours=hours)
        cursor = at.astimezone(SHANGHAI)
        while True:
            day_start = datetime.combine(cursor.date(), self.start, SHANGHAI)
            day_end = datetime.combine(cursor.date(), self.end, SHANGHAI)
            if not is_workday(cursor.date()) or cursor >= day_end:
                cursor = datetime.combine(cursor.date() + timedelta(days=1), self.start, SHANGHAI)
                continue
            cursor = max(cursor, day_start)
            if cursor + remaining <= day_end:
                return cursor + remaining
            remaining -= day_end - cursor
            cursor = datetime.combine(cursor.date() + timedelta(days=1), self.start, SHANGHAI)

    def add_days(self, at: datetime, days: int) -> datetime:
        """Close of the `days`-th working day after the day of `at`."""
        cursor = at.astimezone(SHANGHAI).date()
        counted = 0
        while counted < days:
            cursor += timedelta(days=1)
            if is_workday(cursor):
                counted += 1
        return datetime.combine(cursor, self.end, SHANGHAI)

    def add(self, at: datetime, spec: str) -> datetime:
        """`spec` is "4h" (working hours) or "2d" (working days), as written in config.yaml."""
        spec = spec.strip().lower()
        if spec.endswith("h"):
            return self.add_hours(at, float(spec[:-1]))
        if spec.endswith("d"):
            return self.add_days(at, int(spec[:-1]))
        raise ValueError(f"deadline must look like '4h' or '2d', got {spec!r}")
