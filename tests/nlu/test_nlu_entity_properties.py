"""Property tests: the extractors never raise, whatever a resident (or a bug upstream) sends."""
from __future__ import annotations

from datetime import datetime, timezone

import cn2an
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu.entities import (
    SHANGHAI,
    extract_case_number,
    extract_choice,
    extract_count,
    extract_entities,
    extract_location,
    extract_phone,
    extract_rating,
    extract_time,
)

# Text that looks like residents' messages: Chinese numerals, address and time words, digits, emoji.
_pieces = st.sampled_from(
    list("0123456789一二两三四五六七八九十百零幺号楼栋单元室-—/#:：点半上下午晚明后天周星期今夜来东西") +
    ["号楼", "单元", "明天", "下午", "三点", "以后", "周三", "下周一", "今晚", "138", "R2026", "⭐", "😂", " ", "，", "\n"]
)
resident_text = st.one_of(st.text(), st.lists(_pieces, max_size=30).map("".join))
any_now = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(timezone.utc)),
)
relaxed = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(resident_text)
def test_location_phone_case_number_rating_and_count_never_raise(text):
    building, unit, room = extract_location(text)
    assert all(v is None or isinstance(v, str) for v in (building, unit, room))
    phone = extract_phone(text)
    assert phone is None or phone.isdigit()
    number = extract_case_number(text)
    assert number is None or number[0] in "RDE"
    rating = extract_rating(text)
    assert rating is None or 1 <= rating <= 5
    count = extract_count(text)
    assert count is None or count >= 1


@relaxed
@given(resident_text, any_now)
def test_time_never_raises_and_is_aware_shanghai_time(text, now):
    value = extract_time(text, now)
    assert value is None or value.tzinfo == SHANGHAI  # China kept summer time until 1991: not always +08:00


@relaxed
@given(resident_text, st.integers(min_value=-3, max_value=50))
def test_a_choice_is_within_the_list_or_none(text, n):
    choice = extract_choice(text, n)
    assert choice is None or 1 <= choice <= n


@relaxed
@given(resident_text)
def test_all_entities_of_any_text(text):
    extract_entities(text, datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 99), st.integers(1, 9), st.integers(1, 30), st.integers(1, 4))
def test_any_address_written_in_arabic_or_chinese_numerals_reads_back(building, unit, floor, door):
    room = floor * 100 + door
    spoken_room = "".join("零一二三四五六七八九"[int(d)] for d in str(room))  # 五零一, read digit by digit
    for text in (
        f"{building}号楼{unit}单元{room}",
        f"{building}栋{unit}单元{room}室",
        f"{cn2an.an2cn(building)}号楼{cn2an.an2cn(unit)}单元{spoken_room}",
        f"{building}-{unit}-{room}漏水了",
    ):
        assert extract_location(text) == (str(building), str(unit), str(room)), text


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", " ", "-"]))
def test_any_mobile_number_is_found_with_or_without_separators(number, sep):
    written = f"{number[:3]}{sep}{number[3:7]}{sep}{number[7:]}"
    assert extract_phone(f"我的电话是{written}，来前打电话") == number


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", " "]), st.booleans())
def test_any_mobile_number_read_out_in_chinese_digits_is_found(number, sep, yao):
    digits = ("零幺二三四五六七八九" if yao else "零一二三四五六七八九")
    spoken = "".join(digits[int(d)] for d in number)
    written = f"{spoken[:3]}{sep}{spoken[3:7]}{sep}{spoken[7:]}"
    assert extract_phone(f"俺的电话是{written}来前打个电话") == number
