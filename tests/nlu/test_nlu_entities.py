"""Entity extractors: location, phone, time and the form-answer parsers, in normal form."""
from __future__ import annotations

import logging
from datetime import datetime

import pytest

from nlu.entities import (
    SHANGHAI,
    extract_case_number,
    extract_choice,
    extract_count,
    extract_location,
    extract_phone,
    extract_rating,
    extract_time,
    read_time,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3号楼2单元501", ("3", "2", "501")),
        ("3栋2单元501室", ("3", "2", "501")),
        ("三号楼二单元五零一", ("3", "2", "501")),
        ("5-2-302", ("5", "2", "302")),
        ("12号楼东单元", ("12", "东", None)),
        ("十二号楼三单元六零二厨房漏水", ("12", "3", "602")),
        ("我住7幢1单元1102户", ("7", "1", "1102")),
        ("3号楼501卫生间", ("3", None, "501")),
        ("８号楼２单元４０１", ("8", "2", "401")),
        ("3号2单元201", ("3", "2", "201")),
        ("5号楼2门302", ("5", "2", "302")),
        ("3号楼2-501", ("3", "2", "501")),
        ("单元门坏了", (None, None, None)),
        ("住三楼，电梯坏了", (None, None, None)),
        ("电梯坏了", (None, None, None)),
        ("501", (None, None, "501")),
        # towers named by a letter
        ("A座1单元302漏水", ("A", "1", "302")),
        ("我住b栋", ("B", None, None)),
        ("Ｃ座１５０２", ("C", None, "1502")),
        ("B超做完了", (None, None, None)),
        # a tower inside a numbered building is its unit, and the room after it is kept
        ("3号楼B座501", ("3", "B", "501")),
        ("3栋b座15楼1503室", ("3", "B", "1503")),
        ("5号楼的C座", ("5", "C", None)),
        # a floor said before the room is skipped; a floor alone is not a room
        ("3号楼2单元5楼502", ("3", "2", "502")),
        ("C座十二层一二零三", ("C", None, "1203")),
        ("2单元3楼下水道堵了", (None, "2", None)),
        ("2单元502楼道灯不亮", (None, "2", "502")),
    ],
)
def test_locations_are_read_in_every_common_form(text, expected):
    assert extract_location(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("电话13812345678", "13812345678"),
        ("联系我 138 1234 5678", "13812345678"),
        ("+86 139-0000-1111", "13900001111"),
        ("座机0531-88886666", "053188886666"),
        ("3号楼2单元501", None),
        ("R20261124-0001", None),
        # read out digit by digit, as dictated or typed by older residents
        ("俺电话幺三八一二三四五六七八", "13812345678"),
        ("电话一三八 一二三四 五六七八 来前打个电话", "13812345678"),
        ("联系一三八1234五六七八", "13812345678"),
        ("座机零五三一 八八八八六六六六", "053188886666"),
        ("三号楼二单元五零一", None),
        ("一二三四五六七", None),
    ],
)
def test_mainland_phone_numbers(text, expected):
    assert extract_phone(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("明天下午三点来修", datetime(2026, 11, 25, 15, 0)),
        ("周三上午在家", datetime(2026, 11, 25, 7, 0)),
        ("今晚八点以后家里有人", datetime(2026, 11, 24, 20, 0)),
        ("下周一", datetime(2026, 11, 30, 0, 0)),
        ("3号楼2单元501明天下午三点来修水管", datetime(2026, 11, 25, 15, 0)),
        ("夜来报的修咋还没人来", datetime(2026, 11, 23, 0, 0)),
        ("下晌三点家里有人", datetime(2026, 11, 24, 15, 0)),  # Shandong 下晌 = 下午
        ("周末来修吧", datetime(2026, 11, 28, 0, 0)),  # the weekend starts on Saturday (jionlp: Sunday)
        ("下周末上午", datetime(2026, 12, 5, 7, 0)),
    ],
)
def test_time_phrases_resolve_to_shanghai_datetimes(text, expected, now):
    assert extract_time(text, now) == expected.replace(tzinfo=SHANGHAI)


def test_a_morning_hour_said_late_in_the_evening_means_tomorrow_morning(now):
    late = now.replace(hour=21, minute=30)
    assert extract_time("八点来", late) == datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI)
    assert extract_time("八点来", now.replace(hour=19, minute=0)) == datetime(2026, 11, 24, 20, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3号上午来吧", datetime(2026, 12, 3, 7, 0)),  # said on the 24th: next month's 3rd
        ("三号下午两点来修", datetime(2026, 12, 3, 14, 0)),
        ("30号下午", datetime(2026, 11, 30, 13, 0)),  # still ahead this month
        ("11月3号", datetime(2026, 11, 3, 0, 0)),  # a named month is taken as said
        ("我3号报的修怎么还没人来", datetime(2026, 11, 3, 0, 0)),  # speaks of the past
    ],
)
def test_a_bare_day_of_the_month_already_past_means_next_month(text, expected, now):
    assert extract_time(text, now) == expected.replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("周一来吧", datetime(2026, 11, 30, 0, 0)),  # said on Tuesday: next Monday, not yesterday
        ("礼拜一下午来修", datetime(2026, 11, 30, 13, 0)),
        ("周二来吧", datetime(2026, 11, 24, 0, 0)),  # today is Tuesday
        ("这周一", datetime(2026, 11, 23, 0, 0)),  # the week named is taken as said
        ("周一报的修还没人来", datetime(2026, 11, 23, 0, 0)),  # speaks of the past
    ],
)
def test_a_weekday_already_past_this_week_means_next_week(text, expected, now):
    assert extract_time(text, now) == expected.replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "text, start, until",
    [
        ("这周内来就行", datetime(2026, 11, 24, 0, 0), datetime(2026, 11, 29, 23, 59, 59)),  # under way: from today
        ("下个月初", datetime(2026, 12, 1, 0, 0), datetime(2026, 12, 5, 23, 59, 59)),
        ("月底前能修好不", datetime(2026, 11, 24, 15, 30), datetime(2026, 11, 30, 23, 59, 59)),  # from now
        ("月初再来吧", datetime(2026, 12, 1, 0, 0), datetime(2026, 12, 5, 23, 59, 59)),  # this month's is over
        ("月中再说", datetime(2026, 12, 10, 0, 0), datetime(2026, 12, 20, 23, 59, 59)),
        ("过两天再来", datetime(2026, 11, 26, 0, 0), None),  # a day, not a period
        ("明天下午三点", datetime(2026, 11, 25, 15, 0), None),
        ("这个月初报的修", datetime(2026, 11, 1, 0, 0), None),  # a period over: the past, as said
    ],
)
def test_a_period_of_several_days_is_read_with_its_last_day(text, start, until, now):
    found = read_time(text, now)
    assert found.at == start.replace(tzinfo=SHANGHAI)
    assert found.until == (until and until.replace(tzinfo=SHANGHAI))
    assert extract_time(text, now) == found.at


@pytest.mark.parametrize(
    "text, start, until",
    [
        # said on Tuesday 24 November 2026 at 15:30
        ("明天下午两点到四点来修", datetime(2026, 11, 25, 14, 0), datetime(2026, 11, 25, 16, 0)),  # not 04:00
        ("明天下午两点至五点半都在家", datetime(2026, 11, 25, 14, 0), datetime(2026, 11, 25, 17, 30, 59)),
        ("明天两点到四点", datetime(2026, 11, 25, 14, 0), datetime(2026, 11, 25, 16, 0)),  # nobody means 2 am
        ("周六上午九点到十一点", datetime(2026, 11, 28, 9, 0), datetime(2026, 11, 28, 11, 0)),
        ("周六9点-11点", datetime(2026, 11, 28, 9, 0), datetime(2026, 11, 28, 11, 0)),
        ("明天上午不在家 下午两点到四点来吧", datetime(2026, 11, 25, 14, 0), datetime(2026, 11, 25, 16, 0)),
        ("下周一到周三都行", datetime(2026, 11, 30, 0, 0), datetime(2026, 12, 2, 23, 59, 59)),  # not this Wednesday
        ("下周三到周五", datetime(2026, 12, 2, 0, 0), datetime(2026, 12, 4, 23, 59, 59)),
        ("3号到5号都行", datetime(2026, 12, 3, 0, 0), datetime(2026, 12, 5, 23, 59, 59)),  # both next month's
        ("周一到周五都在家", datetime(2026, 11, 24, 0, 0), datetime(2026, 11, 27, 23, 59, 59)),  # under way
        ("今晚七点以后", datetime(2026, 11, 24, 19, 0), None),  # open-ended: no end
    ],
)
def test_a_range_said_with_its_end_keeps_the_end(text, start, until, now):
    found = read_time(text, now)
    assert (found.at, found.until) == (start.replace(tzinfo=SHANGHAI), until and until.replace(tzinfo=SHANGHAI))


@pytest.mark.parametrize(
    "text, start, until",
    [
        # said on 24 November 2026: this year's are over, next year's are meant
        ("春节前帮俺买副对联", datetime(2026, 11, 24, 15, 30), datetime(2027, 2, 6, 23, 59, 59)),
        ("过年前能修好不", datetime(2026, 11, 24, 15, 30), datetime(2027, 2, 6, 23, 59, 59)),
        ("年前给俺送袋面", datetime(2026, 11, 24, 15, 30), datetime(2027, 2, 6, 23, 59, 59)),
        ("元旦前", datetime(2026, 11, 24, 15, 30), datetime(2027, 1, 1, 23, 59, 59)),
        ("元旦以后再来吧", datetime(2027, 1, 1, 0, 0), None),
        ("国庆节那天", datetime(2027, 10, 1, 0, 0), None),
        ("中秋节前", datetime(2026, 11, 24, 15, 30), datetime(2027, 9, 15, 23, 59, 59)),
        # a year said is kept, even a past one
        ("去年春节修过一回", datetime(2025, 1, 29, 0, 0), None),
    ],
)
def test_a_festival_named_without_a_year_is_the_next_one(text, start, until, now):
    found = read_time(text, now)
    assert (found.at, found.until) == (start.replace(tzinfo=SHANGHAI), until and until.replace(tzinfo=SHANGHAI))


@pytest.mark.parametrize("text", ["三年前报过一回", "一年后再说", "过年好", "五一二室漏水"])
def test_years_and_greetings_are_not_festival_times(text, now):
    assert read_time(text, now) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("周末不在家 周一来吧", datetime(2026, 11, 30, 0, 0)),
        ("明天家里没人 后天吧", datetime(2026, 11, 26, 0, 0)),
        ("明天俺上班 周六来行吗", datetime(2026, 11, 28, 0, 0)),
        ("明天上午不在家，下午来吧", datetime(2026, 11, 25, 13, 0)),  # the afternoon of the same day
        ("明天上班前来一趟", datetime(2026, 11, 25, 0, 0)),  # before work is a time offered
        ("明天出门之前来吧", datetime(2026, 11, 25, 0, 0)),
        ("明天俺要出门 后天下午吧", datetime(2026, 11, 26, 13, 0)),
    ],
)
def test_a_time_the_resident_rules_out_gives_way_to_the_one_they_offer(text, expected, now):
    assert extract_time(text, now) == expected.replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("明天吃了晌午饭来吧", datetime(2026, 11, 25, 13, 0)),  # after lunch
        ("明天早饭后", datetime(2026, 11, 25, 8, 0)),
        ("明天午休以后", datetime(2026, 11, 25, 14, 30)),
        ("后天吃了晚饭以后来", datetime(2026, 11, 26, 19, 0)),
        ("明天吃了午饭两点左右来", datetime(2026, 11, 25, 14, 0)),  # the hour said wins over the meal's
    ],
)
def test_a_meal_or_the_nap_gives_the_hour_a_visit_could_start(text, expected, now):
    assert extract_time(text, now) == expected.replace(tzinfo=SHANGHAI)


def test_a_greeting_about_a_meal_is_no_time(now):
    assert extract_time("晚饭吃了没", now) is None


def test_a_time_only_ruled_out_is_no_time(now):
    assert extract_time("明天不在家", now) is None
    assert extract_time("夜来没人来修", now) == datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI)  # the past is a fact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("五点来吧", datetime(2026, 11, 24, 17, 0)),  # nobody books a visit at 5 am
        ("明天两点来修", datetime(2026, 11, 25, 14, 0)),
        ("八点来", datetime(2026, 11, 24, 20, 0)),  # said at 15:30: this morning's 8 is gone
        ("明天8点来", datetime(2026, 11, 25, 8, 0)),
        ("凌晨三点停的水", datetime(2026, 11, 24, 3, 0)),  # the part of the day said wins
        ("八点报的修", datetime(2026, 11, 24, 8, 0)),  # speaks of the past
        ("十点来吧", datetime(2026, 11, 25, 10, 0)),  # not 22:00 tonight: tomorrow morning
        ("十一二点来", datetime(2026, 11, 25, 11, 0)),  # "eleven or twelve", not 1 October (十一)
        ("明天十一二点来修", datetime(2026, 11, 25, 11, 0)),
        ("后天十一、二点", datetime(2026, 11, 26, 11, 0)),
        ("十二点一点都行", datetime(2026, 11, 25, 12, 0)),  # said at 15:30: two hours offered, the first, tomorrow
        ("明天两点三点都行", datetime(2026, 11, 25, 14, 0)),
        ("十点半十一点", datetime(2026, 11, 25, 10, 30)),  # not 1 October (十一)
        ("十二点来", datetime(2026, 11, 25, 12, 0)),  # today's noon is gone
        ("三点来", datetime(2026, 11, 25, 15, 0)),  # so is today's 15:00
        ("今天十二点", datetime(2026, 11, 24, 12, 0)),  # the day named is taken as said
    ],
)
def test_a_clock_time_without_a_part_of_the_day_means_the_next_one_a_visit_could_be(text, expected, now):
    assert extract_time(text, now) == expected.replace(tzinfo=SHANGHAI)


def test_the_building_number_is_not_read_as_a_date(now):
    assert extract_time("3号楼2单元501水管漏水", now) is None


@pytest.mark.parametrize("text", ["电梯坏了", "每月底交水费 俺不会弄", "过几天再说吧"])
def test_a_message_without_a_time_has_none(text, now):
    assert extract_time(text, now) is None  # a habit (每月底) or a vague delay (过几天) names no day


@pytest.mark.parametrize(
    "text, expected",
    [
        ("R20261124-0001", "R20261124-0001"),
        ("查一下 r 20261124 0001 的进度", "R20261124-0001"),
        ("d20261120-0003", "D20261120-0003"),
        ("E202611010002", "E20261101-0002"),
        ("我的单子呢", None),
    ],
)
def test_case_numbers(text, expected):
    assert extract_case_number(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("五星", 5), ("5分", 5), ("给3星", 3), ("打两分", 2), ("⭐⭐⭐⭐", 4), ("4", 4),
        ("非常满意", 5), ("满意", 4), ("一般", 3), ("不满意", 2), ("很不满意", 1), ("打8分", 4), ("不知道", None),
    ],
)
def test_ratings(text, expected):
    assert extract_rating(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("我们两个人", 2), ("3位", 3), ("带老伴一起", 2), ("就我自己", 1), ("2", 2), ("随便", None)],
)
def test_people_counts(text, expected):
    assert extract_count(text) == expected


@pytest.mark.parametrize(
    "text, n, expected",
    [("1", 3, 1), ("第二个", 3, 2), ("2号", 3, 2), ("选第三场", 3, 3), ("最后一个", 4, 4), ("5", 3, None), ("都行", 3, None)],
)
def test_numbered_choices(text, n, expected):
    assert extract_choice(text, n) == expected


def test_a_time_phrase_the_library_cannot_read_is_none_without_an_error_in_the_log(now, caplog):
    caplog.set_level(logging.DEBUG)
    assert extract_time("想请人每周一次上门看看俺娘", now) is None
    assert extract_time("每周一次", now) is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
