"""Linli lives in Asia/Shanghai: every time a person reads is shown in it."""
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = "一二三四五六日"


def local(at: datetime) -> datetime:
    return at.astimezone(SHANGHAI)


def short_time(at: datetime, *, now: datetime | None = None) -> str:
    """今天17:30 / 明天10:00 / 11月26日(周四)10:00, as an elderly reader says it."""
    at = local(at)
    if now is not None:
        days = (at.date() - local(now).date()).days
        if days == 0:
            return f"今天{at:%H:%M}"
        if days == 1:
            return f"明天{at:%H:%M}"
    return f"{at.month}月{at.day}日(周{WEEKDAYS[at.weekday()]}){at:%H:%M}"
