"""How a time a resident gave is shown back to them in a summary."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers import when

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2026, 11, 24, 15, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "said, now, shown",
    [
        ("周六上午", TUESDAY, "11月28日(周六)上午"),
        ("周末上午", TUESDAY, "周末(11月28日、29日)上午"),  # both days, not only Sunday
        ("下周末", TUESDAY, "周末(12月5日、6日)"),
        ("周末", datetime(2026, 10, 27, 9, 0, tzinfo=SHANGHAI), "周末(10月31日、11月1日)"),
        ("周末来吧", datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI), "今天"),  # said on the Sunday
        ("周六下午 周末都在家", TUESDAY, "11月28日(周六)下午"),  # the day said wins
        ("明天十一二点", TUESDAY, "明天11:00"),
        ("明天一大早", TUESDAY, "明天早上"),
        ("大后儿个上午", TUESDAY, "11月27日(周五)上午"),  # Shandong 大后儿 = 大后天
        ("今儿黑夜", TUESDAY, "今天晚上"),  # Shandong 黑夜 = 晚上
        ("明黑夜来吧", TUESDAY, "明天晚上"),
        ("明天下晌", TUESDAY, "明天下午"),  # every dialect word the time parser knows is shown as standard
        ("周三头晌", TUESDAY, "明天上午"),
        ("明天上午不在家 下午来吧", TUESDAY, "明天下午"),  # the part of the day of the time offered
        ("今天下午不在家 晚上来", datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI), "今天晚上"),
        ("周末不在家 周一来吧", TUESDAY, "11月30日(周一)"),
        ("明天吃了晌午饭来吧", TUESDAY, "明天下午"),  # no hour was said: none is shown
        ("明天吃了午饭两点来", TUESDAY, "明天14:00"),
        # a period: from its first day to its last
        ("下个月初", TUESDAY, "12月1日(周二)至12月5日(周六)"),
        ("这周内都行", TUESDAY, "今天至11月29日(周日)"),
        ("月底前", TUESDAY, "今天至11月30日(周一)"),
        ("过三天再来", TUESDAY, "11月27日(周五)"),
        # a range said with its end: both ends shown, so the worker does not come at its start sharp
        ("明天下午两点到四点在家", TUESDAY, "明天14:00-16:00"),
        ("周六上午九点到十一点", TUESDAY, "11月28日(周六)09:00-11:00"),
        ("明儿下晌两点到四点来修吧", TUESDAY, "明天14:00-16:00"),  # Shandong words, then the range
        ("周六9点~11点半", TUESDAY, "11月28日(周六)09:00-11:30"),
        ("下周一到周三都行", TUESDAY, "11月30日(周一)至12月2日(周三)"),
        ("今晚七点以后", TUESDAY, "今天19:00以后"),  # not at seven on the dot
        ("明天八点半之后", TUESDAY, "明天08:30以后"),
    ],
)
def test_a_time_is_shown_back_as_the_resident_said_it(said, now, shown):
    assert when.read(said, now).label == shown


@pytest.mark.parametrize(
    "said, shown, due",
    [
        ("月底前", "11月30日(周一)前", datetime(2026, 11, 30, 23, 59, 59, tzinfo=SHANGHAI)),
        ("这周内", "11月29日(周日)前", datetime(2026, 11, 29, 23, 59, 59, tzinfo=SHANGHAI)),
        ("下午五点前", "今天17:00前", datetime(2026, 11, 24, 17, 0, tzinfo=SHANGHAI)),
        ("春节前", "2月6日(周六)前", datetime(2027, 2, 6, 0, 0, tzinfo=SHANGHAI)),  # next year's
        ("过年前", "2月6日(周六)前", datetime(2027, 2, 6, 0, 0, tzinfo=SHANGHAI)),
        ("明天两点到四点送来", "明天16:00前", datetime(2026, 11, 25, 16, 0, tzinfo=SHANGHAI)),  # by the range's end
    ],
)
def test_a_deadline_that_names_a_period_is_its_last_day(said, shown, due):
    found = when.read(said, TUESDAY.replace(hour=10), deadline=True)
    assert (found.label, found.at) == (shown, due)


def test_a_time_only_ruled_out_is_heard_as_such():
    assert when.read("明天不在家", TUESDAY) is None
    assert when.refused("明天不在家", TUESDAY) == "好的，明天不方便。"
    assert when.refused("周六上午没人", TUESDAY) == "好的，11月28日(周六)上午不方便。"
    assert when.refused("明天不在家 后天来吧", TUESDAY) is None  # a time was offered
    assert when.refused("楼上又吵", TUESDAY) is None
