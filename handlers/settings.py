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
class PointsRules:
    """Volunteer points (双积分) per completed errand and per good rating."""

    errand_completed: int = 10
    good_rating: int = 5
    good_rating_min_stars: int = 4


@dataclass(frozen=True)
class DomainSettings:
    account_name: str = "邻里"
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    # Keys: "repair.engineering", "repair", "dispute", "errand", "default": most specific wins.
    deadlines: dict[str, Deadline] = field(default_factory=lambda: {"default": Deadline()})
    assignment_policy: str = "responsible"  # responsible | least_loaded | round_robin
    errand_mode: str = "grab"  # grab: offered to the grid's volunteers, first to accept wins | assign
    # Errand skill → words in the request that call for it; volunteers list their skills in config.yaml.
    errand_skills: dict[str, tuple[str, ...]] = field(default_factory=dict)
    volunteer_max_open: int = 3  # a volunteer with this many open errands is not offered more
    dialogue_expires_after: timedelta = timedelta(minutes=30)
    min_confidence: float = 0.5
    warn_before: str = "1h"  # warn the assignee this much working time before a deadline
    escalate_after_reopens: int = 2  # a case reopened this many times escalates
    points: PointsRules = field(default_factory=PointsRules)
    rating_reminder_after: timedelta = timedelta(hours=24)  # ask once more if a resolved case is not rated
    close_unrated_after: timedelta = timedelta(days=7)  # then archive it as "no feedback" (never as satisfied)
    meeting_weeks_ahead: int = 4  # recurring meetings are made this many weeks ahead
    # Reminders to signed-up residents, this long before a meeting starts.
    meeting_reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    grid_points: dict[str, tuple[float, float]] = field(default_factory=dict)  # grid code -> (lat, lng)

    def deadline_for(self, kind: str, category: str | None) -> Deadline:
        for key in (f"{kind}.{category}", kind, "default"):
            if key in self.deadlines:
                return self.deadlines[key]
        return Deadline()
