"""Meeting times as staff type them: "2026-12-02 15:00" (Asia/Shanghai) or ISO 8601 with an offset."""
from __future__ import annotations

from datetime import datetime

from handlers.meeting_admin import MeetingError
from handlers.timezone import SHANGHAI


def parse_time(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(str(text).strip().replace("/", "-"))
    except ValueError as error:
        raise MeetingError(f"时间“{text}”看不懂，请写成 2026-12-02 15:00") from error
    return at.replace(tzinfo=SHANGHAI) if at.tzinfo is None else at
