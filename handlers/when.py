"""Times residents give in a conversation (周六上午, 今天下午五点前, 越快越好), read with the NLU's time
extractor and shown back the way they said them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from handlers.timezone import WEEKDAYS, local
from nlu.entities import read_time, ruled_out_time, standard_time_words

# jionlp reads "下午五点前" as the span from now until five: drop the 前 to get the deadline itself.
_BEFORE = re.compile(r"(之前|以前|前)(?=$|[，,。.!！\s吧啊呀就])")
_CLOCK = re.compile(r"[点:：]|\d{1,2}时")
_AFTER_CLOCK = re.compile(r"(?:点|点半|[点:：]\d{1,2}分?|点钟)(?:以后|之后|往后)")
# Read on standard_time_words(text), so dialect (下晌, 今黑夜, 一大早) is shown as the standard word.
# Each with the hours it covers: 明天上午不在家 下午来吧 resolves to 13:00, which is the 下午, not the 上午;
# where several cover the hour, the one that begins latest.
_PARTS = (("凌晨", "凌晨", range(0, 6)), ("早上", "早上", range(4, 10)), ("上午", "上午", range(6, 12)),
          ("中午", "中午", range(11, 14)), ("下午", "下午", range(13, 19)), ("傍晚", "傍晚", range(16, 20)),
          ("晚上", "晚上", range(17, 24)), ("夜里", "晚上", range(18, 24)))
_SATURDAY = re.compile(r"周六|星期六|礼拜六")
ASAP_WORDS = re.compile(r"越快越好|尽快|尽早|马上|立刻|立即|赶紧|急用|着急|现在就要|越早越好")
ANYTIME_WORDS = re.compile(r"随时|都行|都可以|什么时候都|啥时候都|不急|不着急|哪天都|没关系")


@dataclass(frozen=True)
class When:
    at: datetime
    label: str  # 11月28日(周六)上午 / 今天17:00前 / 明天14:00-16:00
    until: datetime | None = None  # the end of a range or period offered (两点到四点, 下周), None for a day or hour

    def days(self) -> tuple[date, date]:
        """The first and last day it covers (the same day unless it is a period)."""
        return local(self.at).date(), local(self.until or self.at).date()


def read(text: str, now: datetime, *, deadline: bool = False) -> When | None:
    """The time a message names, or None. With `deadline`, "五点前" means by five, shown as 17:00前, and a
    period (这周内, 月底前) means by its last day; otherwise a period is shown from its first day to its last."""
    before = bool(_BEFORE.search(text))
    found = read_time(_BEFORE.sub("", text), now)
    if found is None:
        return None
    within_a_day = found.until is not None and local(found.until).date() == local(found.at).date()
    if within_a_day and _CLOCK.search(text):  # 两点到四点 -> 今天14:00-16:00
        if deadline:
            return When(found.until, f"{_day(found.until, now)}{local(found.until):%H:%M}前")
        return When(found.at, f"{describe(found.at, text, now)}-{local(found.until):%H:%M}", found.until)
    if found.until is not None and not within_a_day:
        if deadline:
            return When(found.until, f"{_day(found.until, now)}前")
        start = now if before else found.at  # 月底前: from now on, not from the 25th
        return When(start, f"{_day(start, now)}至{_day(found.until, now)}", found.until)
    label = describe(found.at, text, now)
    if _AFTER_CLOCK.search(standard_time_words(text)):
        label += "以后"  # 今晚七点以后: not on the dot
    if deadline and before:
        label += "前"
    return When(found.at, label)


def refused(text: str, now: datetime) -> str | None:
    """明天不在家 offers no time but says one that will not do: "好的，明天不方便。" to say before asking again."""
    at = ruled_out_time(text, now)
    return f"好的，{describe(at, text, now)}不方便。" if at is not None else None


def describe(at: datetime, text: str, now: datetime) -> str:
    """The day as an elderly reader says it, with the hour only if the resident gave one."""
    at = local(at)
    day = _day(at, now)
    if "周末" in text and at.weekday() == 5 and not _SATURDAY.search(text):  # the weekend from its Saturday
        sunday = at + timedelta(days=1)
        day = f"周末({at.month}月{at.day}日、{'' if sunday.month == at.month else f'{sunday.month}月'}{sunday.day}日)"
    if _CLOCK.search(text):
        return f"{day}{at:%H:%M}"
    words = standard_time_words(text)
    said = [(name, hours) for word, name, hours in _PARTS if word in words]
    covering = [(hours.start, name) for name, hours in said if at.hour in hours]
    part = max(covering)[1] if covering else said[0][0] if said else ""  # 18:00 is 晚上 rather than 下午
    return day + part


def _day(at: datetime, now: datetime) -> str:
    at = local(at)
    days = (at.date() - local(now).date()).days
    return {0: "今天", 1: "明天", 2: "后天"}.get(days) or f"{at.month}月{at.day}日(周{WEEKDAYS[at.weekday()]})"


def is_future(when: When | None, now: datetime) -> bool:
    return when is not None and local(when.at).date() >= local(now).date()
