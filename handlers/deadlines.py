"""Deadline rules the scheduler runs: warn the assignee before a deadline, escalate a case that misses one.

`sweep` is idempotent: each warning and each breach is acted on once per case and deadline (a
`deadline_alerts` row claims it in the same transaction), however often and from however many
processes it is called. A re-dispatch sets new deadlines, which get their own warning and breach.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from handlers import case_lifecycle as lifecycle
from handlers import escalation
from handlers.case_lifecycle import SYSTEM, OPEN_STATES, State
from handlers.settings import DomainSettings
from storage.models import Case

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

DEADLINE_LABELS = {"accept": "签收", "resolve": "办结"}
# The accept clock stops at 签收 (accept clears accept_due_at); the resolve clock runs while the case is open.
SWEPT_STATES = tuple(s.value for s in OPEN_STATES if s not in (State.REPORTED, State.REGISTERED))


@dataclass(frozen=True)
class DeadlineWarning:
    """Domain event: a deadline is near; the assignee (or the errand's pool) is reminded."""

    case: Case
    deadline: str  # accept | resolve
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class DeadlineBreached:
    """Domain event: a deadline passed; the case escalated (or, at the top of the chain, the top is told again)."""

    case: Case
    deadline: str
    due_at: datetime
    at: datetime
    escalated: bool


@dataclass
class SweepReport:
    warned: list[str] = field(default_factory=list)  # "R20261124-0001:accept"
    escalated: list[str] = field(default_factory=list)
    breached_at_top: list[str] = field(default_factory=list)  # breached, but nowhere higher to go

    @property
    def changed(self) -> bool:
        return bool(self.warned or self.escalated or self.breached_at_top)


def _deadlines(case: Case) -> list[tuple[str, datetime]]:
    found = []
    if case.accept_due_at is not None:
        found.append(("accept", case.accept_due_at))
    if case.resolve_due_at is not None:
        found.append(("resolve", case.resolve_due_at))
    return found


def is_overdue(case: Case, now: datetime) -> bool:
    """True when an open case has passed one of its running deadlines (what the workbench flags)."""
    return case.state in SWEPT_STATES and any(now >= due for _, due in _deadlines(case))


def sweep(uow: "UnitOfWork", settings: DomainSettings, now: datetime) -> SweepReport:
    """Warn before and escalate on breach for every open case; records events and pushes, never commits."""
    report = SweepReport()
    for case in uow.deadline_alerts.cases_with_deadlines(SWEPT_STATES):
        for deadline, due_at in _deadlines(case):
            key = f"{case.number}:{deadline}"
            if now >= due_at:
                if not uow.deadline_alerts.claim(case.id, deadline, due_at, "breach", now=now):
                    continue
                escalated = lifecycle.can_apply(case, "escalate", SYSTEM) and (case.escalation_level or 0) < escalation.TOP_LEVEL
                if escalated:
                    label = DEADLINE_LABELS[deadline]
                    escalation.escalate(case, SYSTEM, f"超过{label}时限未{label}", uow, at=now)
                    report.escalated.append(key)
                else:
                    report.breached_at_top.append(key)
                uow.record(DeadlineBreached(case, deadline, due_at, now, escalated))
                log.info("deadline.breached case=%s deadline=%s escalated=%s level=%s",
                         case.number, deadline, escalated, escalation.level_name(case))
            elif settings.working_hours.add(now, settings.warn_before) >= due_at:
                if uow.deadline_alerts.claim(case.id, deadline, due_at, "warning", now=now):
                    uow.record(DeadlineWarning(case, deadline, due_at, now))
                    report.warned.append(key)
                    log.info("deadline.warning case=%s deadline=%s", case.number, deadline)
    return report
