"""The domain's settings, read from config.yaml by bot.settings and handed to handlers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from handlers.working_time import WorkingHours


@dataclass(frozen=True)
class Deadline:
    accept_within: str = "4h"  # working hours ("h") or working days ("d")
    resolve_within: str = "2d"


@dataclass(frozen=True)
class MeetingSeries:
    """A recurring consultation meeting (相约周三: every Wednesday 15:00), materialised weeks ahead."""

    key: str
    community: str  # community code
    title: str
    weekday: int  # 0 = Monday … 6 = Sunday
    start: time
    minutes: int = 90
    capacity: int = 30
    place: str = ""  # empty: the community's 党群服务中心
    topic: str = ""
    grid: str | None = None  # a grid code for a grid's own meeting


@dataclass(frozen=True)
class DomainSettings:
    account_name: str = "邻里"
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    # Keys: "repair.engineering", "repair", "dispute", "errand", "default": most specific wins.
    deadlines: dict[str, Deadline] = field(default_factory=lambda: {"default": Deadline()})
    assignment_policy: str = "responsible"  # responsible | least_loaded
    errand_mode: str = "grab"  # grab: offered to the grid's volunteers, first to accept wins | assign
    dialogue_expires_after: timedelta = timedelta(minutes=30)
    min_confidence: float = 0.5
    meeting_series: tuple[MeetingSeries, ...] = ()
    meeting_weeks_ahead: int = 4
    grid_points: dict[str, tuple[float, float]] = field(default_factory=dict)  # grid code -> (lat, lng)

    def deadline_for(self, kind: str, category: str | None) -> Deadline:
        for key in (f"{kind}.{category}", kind, "default"):
            if key in self.deadlines:
                return self.deadlines[key]
        return Deadline()
