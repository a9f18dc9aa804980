"""Entity extractors for residents' Chinese: location, phone, time, case number, rating, count, choice.

Every public function takes any string and never raises: on anything it cannot read it returns None.
Both backends use them, and the dialogue calls them on answers inside forms.
"""
from __future__ import annotations

import contextlib
import functools
import io
import logging
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from nlu.normalise import Replacer, normalise
from nlu.understanding import Entities

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")

_CN_DIGITS = "零〇一二两三四五六七八九十百幺"
# Bounded runs: unbounded ones make the searches quadratic on a long string of digits.
_NUM = rf"(?:\d{{1,6}}|[{_CN_DIGITS}]{{1,8}})"
_DIGIT_OF = {"零": 0, "〇": 0, "幺": 1, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SEP = r"\s*[-_/—–~]\s*"


def to_number(token: str) -> int | None:
    """'12' -> 12, '十二' -> 12, '五零一' -> 501, '两' -> 2; None when it is not a number."""
    token = (token or "").strip()
    if not token:
        return None
    if token.isascii() and token.isdigit():
        return int(token)
    if all(ch in _DIGIT_OF for ch in token):  # read digit by digit: 五零一, 幺三八
        return int("".join(str(_DIGIT_OF[ch]) for ch in token))
    try:
        import cn2an

        value = cn2an.cn2an(token, "smart")
    except Exception:  # cn2an raises on anything outside its grammar
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


# ── location ────────────────────────────────────────────────────────────────────────────────────

# 5-2-302, 5—2—302室: building, unit, room
_DASHED = re.compile(rf"(?<![\d.:])(\d{{1,3}}){_SEP}(\d{{1,2}}){_SEP}(\d{{3,4}})(?![\d:])")
# 3号楼, 3栋, 3幢, 3座, 3#楼, 十二号楼; a bare 3号 only when a unit follows (3号2单元); never 3楼 (a floor).
# Towers named by a letter: A座, B栋, c幢 (the text is lower-cased by then; the building is "A").
_BUILDING = re.compile(
    rf"(?<![\d{_CN_DIGITS}])({_NUM})\s*(?:号楼|号樓|栋楼|栋|棟|幢|座|#楼|#|号(?=\s*(?:{_NUM}|[东西南北中])\s*单元))"
    r"|(?<![a-z])([a-z])\s*(?:座|栋楼|栋|棟|幢|号楼)"
)
# 3号楼B座501, 3栋b座: a tower named by a letter inside a numbered building is read as its unit ("B")
_TOWER_AFTER_BUILDING = re.compile(r"\s*(?:的)?\s*([a-z])\s*(?:座|栋|棟|幢)")
# 3号楼2-501: unit and room joined by a dash right after the building
_UNIT_ROOM_DASHED = re.compile(rf"\s*(\d{{1,2}}){_SEP}(\d{{3,4}})(?![\d:])")
# 2单元, 二单元, 东单元; in Shandong also 2门 (a door number before the room: 5号楼2门302)
_UNIT = re.compile(rf"({_NUM}|[东西南北中])\s*(?:单元|门(?=\s*(?:的\s*)?(?:\d|[{_CN_DIGITS}]{{3}})))")
# A floor said before the room (2单元5楼502, C座十二层1203) is skipped; a floor alone (2单元3楼) is not a room.
_FLOOR_WORD = r"(?:楼(?![道梯])|层)"  # 5楼, 3楼下水道; not 502楼道 or 502楼梯
_FLOOR = rf"(?:{_NUM}\s*{_FLOOR_WORD}\s*(?:的)?\s*)?"
_NOT_FLOOR = rf"(?![\d{_CN_DIGITS}]|\s*{_FLOOR_WORD})"
_ROOM_AFTER_UNIT = re.compile(rf"\s*(?:的)?\s*{_FLOOR}({_NUM}){_NOT_FLOOR}\s*(?:室|号|户|房)?")
_ROOM_AFTER_BUILDING = re.compile(rf"\s*(?:的)?\s*{_FLOOR}(\d{{3,4}}|[{_CN_DIGITS}]{{3,4}}){_NOT_FLOOR}\s*(?:室|号|户|房)?")
_ROOM_MARKED = re.compile(rf"(?<![\d{_CN_DIGITS}])(\d{{3,4}}|[{_CN_DIGITS}]{{3,5}})\s*(?:室|号房|房间|户)")
_ROOM_ALONE = re.compile(r"^\s*(\d{3,4})\s*(?:室|号)?\s*$")


def _room(token: str) -> str | None:
    value = to_number(token)
    if value is None or not 1 <= value <= 9999:
        return None
    return str(value)


def _building(token: str) -> str | None:
    if len(token) == 1 and "a" <= token <= "z":
        return token.upper()
    value = to_number(token)
    if value is None or not 1 <= value <= 999:
        return None
    return str(value)


def read_unit(token: str) -> str | None:
    """A unit in normal form from a bare answer: "2", "二", "东" -> "2", "2", "东"; None if it is not one."""
    return _unit((token or "").strip())


def _unit(token: str) -> str | None:
    if token in "东西南北中":
        return token
    value = to_number(token)
    if value is None or not 1 <= value <= 99:
        return None
    return str(value)


def _location_spans(text: str) -> tuple[tuple[str | None, str | None, str | None], list[tuple[int, int]]]:
    """The location and the character spans it was read from (so the time parser can skip them)."""
    building = unit = room = None
    spans: list[tuple[int, int]] = []
    dashed = _DASHED.search(text)
    if dashed:
        building, unit, room = _building(dashed[1]), _unit(dashed[2]), _room(dashed[3])
        spans.append(dashed.span())
    b = _BUILDING.search(text)
    if b and building is None:
        building = _building(b[1] or b[2])
        if building is not None:
            spans.append(b.span())
    if b and building is not None and unit is None and (d := _UNIT_ROOM_DASHED.match(text, b.end())):
        unit, room = _unit(d[1]), _room(d[2])
        spans.append(d.span())
    tower = b and b[1] and building is not None and unit is None and _TOWER_AFTER_BUILDING.match(text, b.end())
    if tower:
        unit = tower[1].upper()
        spans.append(tower.span())
    u = tower or _UNIT.search(text)
    if u and unit is None:
        unit = _unit(u[1])
        if unit is not None:
            spans.append(u.span())
    if room is None and u is not None:
        r = _ROOM_AFTER_UNIT.match(text, u.end())
        if r and (room := _room(r[1])) is not None:
            spans.append(r.span())
    if room is None and b is not None and building is not None:
        r = _ROOM_AFTER_BUILDING.match(text, b.end())
        if r and (room := _room(r[1])) is not None:
            spans.append(r.span())
    if room is None:
        r = _ROOM_MARKED.search(text) or _ROOM_ALONE.match(text)
        if r and (room := _room(r[1])) is not None:
            spans.append(r.span())
    return (building, unit, room), spans


def extract_location(text: str) -> tuple[str | None, str | None, str | None]:
    """(building, unit, room) in normal form: ("3", "2", "501"); parts the text lacks are None."""
    try:
        return _location_spans(normalise(text)[:MAX_TEXT])[0]
    except Exception:  # never let a resident's message crash the dialogue
        log.exception("nlu.entities location_failed")
        return (None, None, None)


def location_span(text: str) -> tuple[int, int] | None:
    """Where, in normalise(text), the building, unit and room the message names stand (first start to
    last end); None when it names none."""
    try:
        spans = _location_spans(normalise(text)[:MAX_TEXT])[1]
        return (min(s for s, _ in spans), max(e for _, e in spans)) if spans else None
    except Exception:  # never let a resident's message crash the dialogue
        log.exception("nlu.entities location_failed")
        return None


def without_location(text: str) -> str:
    """The message, normalised, with the building, unit and room it names cut out: what else it says
    (A座1单元302 alone says nothing else)."""
    try:
        text = normalise(text)[:MAX_TEXT]
        keep = [True] * len(text)
        for start, end in _location_spans(text)[1]:
            keep[start:end] = [False] * (end - start)
        return "".join(c for c, kept in zip(text, keep) if kept)
    except Exception:  # never let a resident's message crash the dialogue
        log.exception("nlu.entities location_failed")
        return text


# ── phone ───────────────────────────────────────────────────────────────────────────────────────

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?([2-9]\d{6,7})(?!\d)")


# A number read out or typed digit by digit in Chinese (幺三八一二三四五六七八, 一三八 1234 5678): runs of
# seven or more digits, Chinese or Arabic, spaces and dashes between. 洞 is how some people say zero.
_SPOKEN_DIGIT = {**{ch: str(d) for ch, d in _DIGIT_OF.items()}, "洞": "0"}
_DIGIT_RUN = re.compile(r"[\d零〇幺一二两三四五六七八九洞](?:[\s-]*[\d零〇幺一二两三四五六七八九洞]){6,20}")


def _spoken_digits(text: str) -> str:
    """The text with every Chinese digit in a long run of digits written as an Arabic one, character for
    character (so spans stay valid); 三号楼二单元五零一 has no such run and stays as it is."""
    def arabic(run: re.Match) -> str:
        return "".join(_SPOKEN_DIGIT.get(ch, ch) for ch in run[0])

    return _DIGIT_RUN.sub(arabic, text)


def _phone_match(text: str) -> re.Match | None:
    text = _spoken_digits(text)
    return _MOBILE.search(text) or _LANDLINE.search(text)


def extract_phone(text: str) -> str | None:
    """A mainland mobile (13812345678, 幺三八一二三四五六七八) or landline with area code (053188886666),
    digits only."""
    try:
        m = _phone_match(normalise(text)[:MAX_TEXT])
        return "".join(m.groups()) if m else None
    except Exception:
        log.exception("nlu.entities phone_failed")
        return None


# ── case number ─────────────────────────────────────────────────────────────────────────────────

_CASE_NUMBER = re.compile(r"(?<![a-z])([rde])\s*(20\d{2})\s*(\d{2})\s*(\d{2})\s*[-_—–]?\s*(\d{4})(?!\d)")


def extract_case_number(text: str) -> str | None:
    """R20261124-0001 from 'r 20261124 0001', 'D20261124-0002', 'e202611240003'."""
    try:
        m = _CASE_NUMBER.search(normalise(text))
        if not m:
            return None
        kind, year, month, day, serial = m.groups()
        return f"{kind.upper()}{year}{month}{day}-{serial}"
    except Exception:
        log.exception("nlu.entities case_number_failed")
        return None


# ── rating ──────────────────────────────────────────────────────────────────────────────────────

# Words without a number, checked in this order (longest, negated forms first):
# 5 = 非常/很/特别满意, 满分, 太棒了; 4 = 满意, 挺好, 不错; 3 = 一般, 还行, 凑合;
# 2 = 不满意, 不太满意, 不好; 1 = 很/非常不满意, 太差, 很差, 差评.
RATING_WORDS: tuple[tuple[str, int], ...] = (
    ("非常不满意", 1), ("很不满意", 1), ("特别不满意", 1), ("极不满意", 1), ("太差", 1), ("很差", 1),
    ("非常差", 1), ("差评", 1), ("差劲", 1), ("垃圾", 1),
    ("不太满意", 2), ("不大满意", 2), ("不满意", 2), ("不咋地", 2), ("不怎么样", 2), ("不好", 2), ("较差", 2),
    ("非常满意", 5), ("很满意", 5), ("特别满意", 5), ("十分满意", 5), ("相当满意", 5), ("满分", 5), ("好评", 5),
    ("太棒", 5), ("太好了", 5), ("非常好", 5), ("特别好", 5),
    ("比较满意", 4), ("基本满意", 4), ("满意", 4), ("挺好", 4), ("不错", 4), ("还可以", 3),
    ("一般", 3), ("还行", 3), ("凑合", 3), ("马马虎虎", 3), ("过得去", 3),
)
_STARS = re.compile(r"[⭐★🌟]")
_RATING_NUMBER = re.compile(rf"({_NUM})\s*(?:颗星|颗|星|分)")
_BARE_NUMBER = re.compile(rf"^\s*(?:给|打)?\s*({_NUM})\s*[。.!！]?\s*$")


def extract_rating(text: str) -> int | None:
    """A 1–5 rating: 五星, 5分, 给3星, 打两分, ⭐⭐⭐⭐, a bare 4, or words (see RATING_WORDS).

    A score out of 10 (打8分) is halved and rounded up.
    """
    try:
        text = normalise(text)
        m = _RATING_NUMBER.search(text) or _BARE_NUMBER.match(text)
        if m:
            value = to_number(m[1])
            if value is not None and 1 <= value <= 5:
                return value
            if value is not None and 6 <= value <= 10 and m.re is _RATING_NUMBER:
                return math.ceil(value / 2)
        stars = len(_STARS.findall(text))
        if stars:
            return min(stars, 5)
        for word, value in RATING_WORDS:
            if word in text:
                return value
        return None
    except Exception:
        log.exception("nlu.entities rating_failed")
        return None


# ── people count ────────────────────────────────────────────────────────────────────────────────

_COUNT = re.compile(rf"({_NUM})\s*(?:个人|个|位|人|口人|名)")
_COUNT_WORDS: tuple[tuple[str, int], ...] = (
    ("我们仨", 3), ("俺们仨", 3), ("仨人", 3), ("我们俩", 2), ("俺们俩", 2), ("俺俩", 2), ("我俩", 2), ("俩人", 2),
    ("两口子", 2), ("老两口", 2), ("带老伴", 2), ("和老伴", 2), ("跟老伴", 2), ("同老伴", 2),
    ("就我自己", 1), ("我自己", 1), ("就我一个", 1), ("只有我", 1), ("就我", 1), ("本人", 1),
)


def extract_count(text: str) -> int | None:
    """How many people: 我们两个人 -> 2, 3位 -> 3, 带老伴一起 -> 2, 就我自己 -> 1, a bare 4 -> 4."""
    try:
        text = normalise(text)
        m = _COUNT.search(text) or _BARE_NUMBER.match(text)
        if m:
            value = to_number(m[1])
            if value is not None and 1 <= value <= 200:
                return value
        for word, value in _COUNT_WORDS:
            if word in text:
                return value
        return None
    except Exception:
        log.exception("nlu.entities count_failed")
        return None


# ── numbered choice ─────────────────────────────────────────────────────────────────────────────

_CHOICE = re.compile(rf"^\s*(?:我)?(?:选|要|选择|就)?\s*(?:第)?\s*({_NUM})\s*(?:个|号|项|条|场|次)?\s*(?:吧|的|那个|那场)?\s*[。.!！]?\s*$")
_CHOICE_IN_SENTENCE = re.compile(rf"第\s*({_NUM})\s*(?:个|号|项|条|场|次)?")


def extract_choice(text: str, n: int) -> int | None:
    """A 1-based choice within 1..n from an answer to a numbered list: '1', '第二个', '2号', '最后一个'."""
    try:
        if n < 1:
            return None
        text = normalise(text)
        if re.search(r"最后(?:一个|一项|那个|一场)?", text):
            return n
        m = _CHOICE.match(text) or _CHOICE_IN_SENTENCE.search(text)
        if not m:
            return None
        value = to_number(m[1])
        return value if value is not None and 1 <= value <= n else None
    except Exception:
        log.exception("nlu.entities choice_failed")
        return None


# ── time ────────────────────────────────────────────────────────────────────────────────────────

# Shandong and spoken forms jionlp does not know, rewritten before it reads the text.
TIME_DIALECT = {
    "夜来": "昨天", "夜里个": "昨天", "夜儿个": "昨天", "昨儿": "昨天", "昨个": "昨天",
    "今儿个": "今天", "今儿": "今天", "今个": "今天", "明儿个": "明天", "明儿": "明天", "明个": "明天",
    "赶明儿": "明天", "大后儿个": "大后天", "大后儿": "大后天", "后儿个": "后天", "后儿": "后天",
    "今黑夜": "今天晚上", "今儿黑夜": "今天晚上", "今黑价": "今天晚上", "明黑夜": "明天晚上", "明儿黑夜": "明天晚上",
    "头午": "上午", "头晌": "上午", "上半晌": "上午", "前晌": "上午", "后晌": "下午", "过晌": "下午",
    "下半晌": "下午", "下晌": "下午", "上晌": "上午", "晌午": "中午", "傍黑": "傍晚", "擦黑": "傍晚",
    "明早": "明天早上", "今早": "今天早上", "明晚": "明天晚上", "今晚上": "今天晚上", "今晚": "今天晚上",
    "礼拜天": "周日", "礼拜日": "周日", "星期天": "周日", "一大早": "早上", "一早": "早上", "清早": "早上",
    # "eleven or twelve o'clock": jionlp reads 十一 as the National Day (1 October). 三四点 it reads as 三点.
    "十一二点": "十一点", "十一、二点": "十一点", "十一十二点": "十一点",
}
_dialect = Replacer(TIME_DIALECT)


# "twelve or one o'clock" (十二点一点都行, 三点、四点, 十点半十一点): the first hour offered. jionlp reads none
# of it, or 十一 as 1 October.
_HOUR_PAIR = re.compile(rf"([{_CN_DIGITS}\d]{{1,3}}点半?)(?:或者|或|、|，|,)?[{_CN_DIGITS}\d]{{1,3}}点(?![{_CN_DIGITS}\d半钟])")


# Meals and the nap, as elderly residents give times (吃了晌午饭来吧): (part of the day, the hour a visit could
# start). With a clock time after it (吃了午饭两点来) only the part of the day is kept.
_MEALS = {
    **dict.fromkeys(("吃了早饭", "吃完早饭", "吃过早饭", "早饭后", "早饭以后", "早饭之后"), ("上午", "八点")),
    **dict.fromkeys(("吃了晌午饭", "吃完晌午饭", "晌午饭后", "吃了午饭", "吃完午饭", "吃过午饭", "午饭后", "午饭以后",
                     "午饭之后", "吃了中午饭", "吃完中午饭", "中午饭后"), ("下午", "一点")),
    **dict.fromkeys(("午休后", "午休以后", "午休完", "睡完午觉", "睡了午觉", "歇了晌", "歇完晌"), ("下午", "两点半")),
    **dict.fromkeys(("吃了晚饭", "吃完晚饭", "吃过晚饭", "晚饭后", "晚饭以后", "晚饭之后", "吃了后晌饭", "后晌饭后"),
                    ("晚上", "七点")),
}
_MEAL = re.compile("(" + "|".join(sorted(_MEALS, key=len, reverse=True)) + rf")(.{{0,4}}?[{_CN_DIGITS}\d]\s*点)?")


def _meal_time(match: re.Match) -> str:
    part, hour = _MEALS[match.group(1)]
    return part + match.group(2) if match.group(2) else part + hour


# 过两天再来: in two days (jionlp reads only the length, 两天). 过几天 names no day and stays unread.
_DAYS_LATER = re.compile(rf"过\s*([{_CN_DIGITS}\d]{{1,2}})\s*天(?!\s*[以之]?后)")


def standard_time_words(text: str) -> str:
    """The message with the spoken and Shandong time words replaced by the standard ones the time
    parser reads (下晌 -> 下午, 今黑夜 -> 今天晚上, 一大早 -> 早上, 十二点一点 -> 十二点, 过两天 -> 两天后)."""
    text = _HOUR_PAIR.sub(r"\1", _dialect(_MEAL.sub(_meal_time, normalise(text))))
    return _DAYS_LATER.sub(r"\1天后", text)


# 月底前 / 月初再来 / 等月中: a part of a month named without the month. jionlp reads it only with one
# (这个月底); it is this month's unless that part is over (月初 said on the 24th is next month's).
_BARE_MONTH_PART = re.compile(rf"(?<![个这本上下今每正腊冬\d{_CN_DIGITS}])月(初|中旬|中|底|末)")  # not 每月底, 腊月底
_MONTH_PART_LAST_DAY = {"初": 5, "中旬": 20, "中": 20, "底": 31, "末": 31}


def _name_the_month(text: str, base: datetime) -> str:
    def month(match: re.Match) -> str:
        over = base.day > _MONTH_PART_LAST_DAY[match[1]]
        return ("下个月" if over else "这个月") + match[1]

    return _BARE_MONTH_PART.sub(month, text)


# 春节前 / 元旦那天 / 国庆后 without a year: jionlp takes this year's, which in November is past for all of them;
# the next one is meant. 过年前 and 年后 are the Spring Festival's. Not 清明 (jionlp reads 明年清明 as this
# year's) nor 除夕/腊八 (it gets their dates wrong): those are no time cue and give no time.
_FESTIVALS = r"元旦|春节|元宵节?|劳动节|五一(?=节|前|后|假|放假|期间|以|之|那)|端午节?|中秋节?|国庆节?"
_AROUND_NEW_YEAR = rf"过年(?=$|[前后，,。\s吧]|[以之][前后]|期间|的时候|那)|(?<![\d{_CN_DIGITS}几多半去今明前后这那过新拜每当同])年(?=[前后]|[以之][前后])"
_FESTIVAL = re.compile(rf"(?<![年\d{_CN_DIGITS}])({_FESTIVALS})|{_AROUND_NEW_YEAR}")  # no year said


@functools.lru_cache(maxsize=64)
def _festival_day(name: str, year: int) -> date | None:
    """The day of a festival in a year (春节 2027 -> 6 February), as jionlp knows it."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            found = _load_jionlp().parse_time(f"{year}年{name}", time_base=datetime(year, 1, 1))
        return datetime.strptime(found["time"][0], "%Y-%m-%d %H:%M:%S").date()
    except Exception:  # a name jionlp does not know
        return None


def _name_the_year(text: str, base: datetime) -> str:
    def year(match: re.Match) -> str:
        name = match[1] or "春节"  # 过年前, 年后
        day = _festival_day(name, base.year)
        return ("明年" if day is not None and day < base.date() else "") + name

    return _FESTIVAL.sub(year, text)


# Only messages with one of these go to jionlp (imported on first use): keeps plain messages fast.
_TIME_CUE = re.compile(
    r"今天|明天|后天|大后天|昨天|前天|周[一二三四五六日天末]|星期|礼拜|上午|下午|中午|晚上|早上|凌晨|傍晚|"
    rf"[{_CN_DIGITS}\d]\s*点|\d\s*[:：]\s*\d|下周|下个?星期|这周|本周|月[底初末中]|年底|[{_CN_DIGITS}\d]\s*(?:号|日)(?!楼)|"
    r"夜来|明儿|今儿|后儿|今黑|明黑|头午|[上下后过]晌|傍黑|擦黑|明早|今早|明晚|今晚|一早|一大早|清早|"
    r"[早午晚]饭|晌午|午休|午觉|歇.?晌|"
    rf"[{_CN_DIGITS}\d]\s*天\s*[以之]?后|过\s*[{_CN_DIGITS}\d]{{1,2}}\s*天"
    + f"|{_FESTIVALS}|{_AROUND_NEW_YEAR}"
)
_jionlp = None
# jionlp's cost grows with the text it reads: it gets only the neighbourhood of the first time cue.
TIME_WINDOW_BEFORE, TIME_WINDOW_AFTER = 12, 24
MAX_TEXT = 2000  # longer than any WeChat text message (2048 bytes)


class _JionlpLogging:
    """Stands in for the `logging` module inside jionlp's time parser, which reports a phrase it cannot
    read (每周一次) with logging.error(traceback) on the root logger: that would print an ERROR with a
    traceback for an ordinary message and, where logging is not yet set up, configure the root logger."""

    def __getattr__(self, name):
        return getattr(logging, name)

    @staticmethod
    def error(*args, **kwargs) -> None:
        log.debug("nlu.entities time_phrase_rejected_by_jionlp")


def _load_jionlp():
    global _jionlp
    if _jionlp is None:
        # jionlp prints a banner on import; stdout belongs to `linli nlu parse`.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import jionlp
            from jionlp.gadget import time_parser

        time_parser.logging = _JionlpLogging()
        _jionlp = jionlp
    return _jionlp


def _shanghai_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(SHANGHAI)
    if now.tzinfo is None:
        return now.replace(tzinfo=SHANGHAI)
    return now.astimezone(SHANGHAI)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "，" * (end - start)
    return "".join(chars)


def _parse_jionlp_time(value: str) -> datetime | None:
    if not value or "inf" in value:
        return None
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)


# A day of the month with no month or year before it (3号上午, 三十号), and what marks it as the past.
_BARE_DAY = re.compile(rf"(?<![月\d{_CN_DIGITS}])({_NUM})[号日]")
_PAST_AFTER_DAY = re.compile(r"^[^，。,.!！?？]{0,6}?(?:报的|报了|报修的|来过|修过|那天|的时候|以前|之前)")


def _roll_bare_day_forward(resolved: datetime, phrase: str, following: str, base: datetime) -> datetime:
    """"3号上午" said on the 24th means next month's 3rd, as anyone arranging a visit means it; jionlp
    reads this month's. Kept in the past when the message speaks of the past (3号报的修)."""
    match = _BARE_DAY.search(phrase)
    if match is None or "月" in phrase or "年" in phrase or resolved.date() >= base.date():
        return resolved
    if _PAST_AFTER_DAY.match(following):
        return resolved
    day = resolved.day
    year, month = resolved.year, resolved.month
    for _ in range(12):  # the next month that has this day (31号 skips the short months)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        try:
            candidate = resolved.replace(year=year, month=month, day=day)
        except ValueError:
            continue
        if candidate.date() >= base.date():
            return candidate
    return resolved


# A clock time said with no part of the day (三点半来, 明天两点): jionlp reads the morning's.
_CLOCK = re.compile(rf"[{_CN_DIGITS}\d]\s*(?:点|时|[:：]\s*\d)")
_DAY_PART = re.compile(r"凌晨|早|上午|中午|午|下午|傍晚|晚|夜|半夜|am|pm")
_DAY_WORD = re.compile(r"今|明|后天|昨|前天|周|星期|礼拜|[号日]|月")  # the phrase names its day (今天十二点)
AFTERNOON_BY_DEFAULT = range(1, 7)  # 1–6 o'clock unqualified means the afternoon: nobody books a visit at 3 am
LATEST_EVENING_VISIT = 21  # a morning hour already gone reads as the evening up to 21:00, later as tomorrow


def _afternoon_if_meant(resolved: datetime, phrase: str, following: str, base: datetime) -> datetime:
    """三点半来 said at 9:30 means 15:30; 八点来 said at 13:00 means 20:00 today, not this morning; 十一点来
    said at 15:30 (or 八点来 said at 21:30) means tomorrow morning, not 23:00; 十二点来 or 三点来 said at
    15:30 means tomorrow's, unless the day was named (今天十二点).
    Kept as read when the message speaks of the past (十点报的修)."""
    if not _CLOCK.search(phrase) or _DAY_PART.search(phrase) or _PAST_AFTER_DAY.match(following) or resolved.hour == 0:
        return resolved
    if resolved.hour in AFTERNOON_BY_DEFAULT:
        resolved += timedelta(hours=12)
    elif resolved.hour < 12 and resolved < base and resolved.date() == base.date():
        evening = resolved + timedelta(hours=12)
        if evening > base and evening.hour <= LATEST_EVENING_VISIT:
            return evening
    if resolved < base and resolved.date() == base.date() and not _DAY_WORD.search(phrase):
        return resolved + timedelta(days=1)
    return resolved


# 周一 / 星期三 / 礼拜五 with nothing saying which week (not 上周一, 这周一, 下周一).
_BARE_WEEKDAY = re.compile(r"(?<![上这本下])(?:周|星期|礼拜)[一二三四五六日天]")


def _roll_weekday_forward(resolved: datetime, phrase: str, following: str, base: datetime) -> datetime:
    """周一来吧 said on a Tuesday means next Monday; jionlp reads this week's, already gone. Kept in the past
    when the message speaks of the past (周一报的修)."""
    if not _BARE_WEEKDAY.search(phrase) or resolved.date() >= base.date() or _PAST_AFTER_DAY.match(following):
        return resolved
    return resolved + timedelta(days=7)


# 周末不在家 / 明天家里没人 / 明天俺上班 / 明天不行: a time the resident rules out, said before the one they offer.
_RULED_OUT = re.compile(
    r"^\s*(?:我|俺|咱|我们|俺们|家里|家|屋里)?\s*(?:都|也|可)?\s*(?:要|得)?"
    r"(?:不在家|不在|没人|没有人|不方便|不行|不中|没空|没时间|有事|走不开|不得空|(?:上班|出门)(?!前|之前|以前))"
)


def _weekend_from_saturday(resolved: datetime, phrase: str, base: datetime) -> datetime:
    """jionlp reads 周末 as its Sunday; a resident means the weekend, which starts on Saturday (or is
    today, said on the Sunday)."""
    if "周末" not in phrase or resolved.weekday() != 6:
        return resolved
    saturday = resolved - timedelta(days=1)
    return saturday if saturday.date() >= base.date() else resolved


# 两点到四点 / 周一至周三 / 9点-11点: a range said with its end.
_RANGE = re.compile(r"到|至|[-~～—]")
LONGEST_RANGE = timedelta(days=62)


def _range_end(phrase: str, kind: str, end: str, moved: timedelta, start: datetime) -> datetime | None:
    """The end of a range the resident said (两点到四点 -> 16:00), or None. jionlp reads the end on its
    own: 下午两点至四点 ends at 04:00 and 下周三到周五 on this week's Friday; and it knows nothing of what
    moved the start (三点 meaning 15:00, 3号 meaning next month's), which `moved` carries over."""
    if kind != "time_span" or not _RANGE.search(phrase):
        return None
    until = _parse_jionlp_time(end)
    if until is None:
        return None
    until += moved
    if until <= start and until.date() == start.date():
        until += timedelta(hours=12)  # 下午两点至四点: the afternoon's four
    elif until.date() < start.date() and start - until < timedelta(days=7):
        until += timedelta(days=7)  # 下周三到周五: that week's Friday
    return until if start < until <= start + LONGEST_RANGE else None


@dataclass(frozen=True)
class TimeRead:
    """A time a message offers: `at` its start; `until` the last moment of a range said with its end
    (两点到四点, 周一到周三) or of a period of several days (这周内, 下个月初, 月底前); None for a day or an hour."""

    at: datetime
    until: datetime | None = None


def read_time(text: str, now: datetime | None = None) -> TimeRead | None:
    """The first time phrase offered, with the end of the period it names, if it names one (see extract_time)."""
    return _read_times(text, now)[0]


def extract_time(text: str, now: datetime | None = None) -> datetime | None:
    """The first time phrase (明天下午三点, 周三上午, 今晚八点以后, 下周一) as an aware Asia/Shanghai datetime.

    A span resolves to its start (今晚八点以后 -> 20:00); relative phrases count from `now`. A bare day
    of the month already past this month (3号 on the 24th) is next month's. A time the resident rules out
    (周末不在家) gives way to the next one; with none after it, there is no time. A period already under
    way (这周内, said on a Tuesday) starts today.
    """
    offered = _read_times(text, now)[0]
    return offered.at if offered else None


def ruled_out_time(text: str, now: datetime | None = None) -> datetime | None:
    """The time a message rules out when it offers none (明天不在家 -> tomorrow); None otherwise."""
    offered, ruled_out = _read_times(text, now)
    return ruled_out if offered is None else None


def _period(start: str, end: str, base: datetime) -> tuple[datetime | None, datetime | None]:
    """(start, end) of the time jionlp read: the end only for a period of several days, whose start moves to
    today when it is under way (这周内 said on a Tuesday) and is now when it is open (月底前: from -inf)."""
    resolved, until = _parse_jionlp_time(start), _parse_jionlp_time(end)
    if resolved is None:
        if until is None or until < base or not start.startswith("-inf"):
            return until, None
        resolved = base
    if until is None or until.date() <= resolved.date() or until < base:
        return resolved, None
    today = base.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(resolved, today), until


def _read_times(text: str, now: datetime | None) -> tuple[TimeRead | None, datetime | None]:
    """(the time offered, the last time ruled out before it)."""
    try:
        text = normalise(text)[:MAX_TEXT]
        if not _TIME_CUE.search(text):
            return None, None
        base = _shanghai_now(now)
        # jionlp reads the 3号 of 3号楼 and the digits of a phone number as dates: mask them first.
        _, spans = _location_spans(text)
        spoken = _spoken_digits(text)
        for pattern in (_MOBILE, _LANDLINE, _CASE_NUMBER):
            spans += [m.span() for m in pattern.finditer(spoken)]
        masked = standard_time_words(_mask(text, spans))
        cue = _TIME_CUE.search(masked)
        if not cue:
            return None, None
        # 月底 and 春节 name no month or year: name them, in the window jionlp reads.
        window = masked[max(0, cue.start() - TIME_WINDOW_BEFORE) : cue.start() + TIME_WINDOW_AFTER]
        masked = _name_the_year(_name_the_month(window, base), base)
        jio = _load_jionlp()
        with contextlib.redirect_stdout(io.StringIO()):
            found = jio.ner.extract_time(masked, time_base=base.replace(tzinfo=None), with_parsing=True)
        ruled_out: datetime | None = None
        for item in found:
            detail = item.get("detail") or {}
            if detail.get("type") not in ("time_point", "time_span"):
                continue
            start, end = (list(detail.get("time") or []) + [None, None])[:2]
            resolved, until = _period(start or "", end or "", base)
            if resolved is None:
                continue
            read = resolved
            phrase = item.get("text") or ""
            offset = item.get("offset") or [0, 0]
            following = masked[offset[1] :] if len(offset) == 2 else ""
            resolved = _afternoon_if_meant(resolved, phrase, following, base)
            resolved = _weekend_from_saturday(resolved, phrase, base)
            resolved = _roll_weekday_forward(resolved, phrase, following, base)
            resolved = _roll_bare_day_forward(resolved, phrase, following, base)
            if resolved.date() >= base.date() and _RULED_OUT.match(following):
                ruled_out = resolved  # and the next phrase, if any, is the time offered
                continue
            if ruled_out is not None and not _DAY_WORD.search(phrase):
                # 明天上午不在家 下午来吧: the afternoon of that day
                resolved = datetime.combine(ruled_out.date(), resolved.timetz())
            if _RANGE.search(phrase):
                until = _range_end(phrase, detail["type"], end or "", resolved - read, resolved)
            return TimeRead(resolved, until), ruled_out
        return None, ruled_out  # no time, or only one the resident ruled out (明天不在家)
    except Exception:  # jionlp raises on phrases it cannot read
        log.debug("nlu.entities time_unparsed")
        return None, None


def extract_entities(text: str, now: datetime | None = None) -> Entities:
    """All entities of one message in normal form."""
    building, unit, room = extract_location(text)
    return Entities(
        building=building,
        unit=unit,
        room=room,
        time=extract_time(text, now),
        phone=extract_phone(text),
    )
