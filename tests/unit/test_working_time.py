"""Deadlines count working time: public holidays stop the clock, make-up working days run it."""
from __future__ import annotations

from datetime import datetime

import pytest

from handlers.timezone import SHANGHAI
from handlers.working_time import WorkingHours, is_workday

HOURS = WorkingHours()


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_two_working_hours_within_a_working_day():
    assert HOURS.add(at(2026, 11, 24, 10, 0), "2h") == at(2026, 11, 24, 12, 0)


def test_hours_left_at_closing_time_carry_over_to_the_next_morning():
    assert HOURS.add(at(2026, 11, 24, 17, 0), "2h") == at(2026, 11, 25, 10, 0)


def test_a_report_at_night_starts_counting_the_next_working_morning():
    assert HOURS.add(at(2026, 11, 24, 22, 0), "2h") == at(2026, 11, 25, 10, 30)


def test_the_weekend_does_not_count():
    assert HOURS.add(at(2026, 11, 27, 17, 0), "2h") == at(2026, 11, 30, 10, 0)  # Friday → Monday


def test_the_national_day_holiday_stops_the_clock():
    # 2026-09-30 17:00 + 2 h: half an hour that day, then 1–7 October off, on again on the 8th.
    assert HOURS.add(at(2026, 9, 30, 17, 0), "2h") == at(2026, 10, 8, 10, 0)


def test_a_make_up_saturday_is_a_working_day():
    assert is_workday(datetime(2026, 10, 10).date())  # Saturday, 调休上班
    assert HOURS.add(at(2026, 10, 9, 12, 0), "1d") == at(2026, 10, 10, 17, 30)


def test_working_days_end_at_closing_time_of_the_nth_working_day_after():
    assert HOURS.add(at(2026, 11, 24, 10, 0), "2d") == at(2026, 11, 26, 17, 30)


def test_a_year_the_calendar_does_not_know_yet_falls_back_to_weekdays():
    assert is_workday(datetime(2027, 1, 4).date())  # a Monday
    assert not is_workday(datetime(2027, 1, 2).date())  # a Saturday
    assert not is_workday(datetime(2027, 1, 1).date())  # New Year's Day is always off


@pytest.mark.parametrize("spec", ["", "3", "2w", "h"])
def test_a_deadline_that_is_not_hours_or_days_is_refused(spec):
    with pytest.raises(ValueError):
        HOURS.add(at(2026, 11, 24, 10, 0), spec)
