"""The domain's settings, read from config.yaml by bot.settings and handed to handlers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from handlers.working_time import WorkingHours


@dataclass(frozen=True)
class Deadline:
    accept_within: str = "4h"  # working hours ("h") or working days ("d")
    resolve_within: str = "2d"


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

    def deadline_for(self, kind: str, category: str | None) -> Deadline:
        for key in (f"{kind}.{category}", kind, "default"):
            if key in self.deadlines:
                return self.deadlines[key]
        return Deadline()
