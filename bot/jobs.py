"""The scheduler's jobs. Module-level functions referenced by name, so APScheduler's persistent job
store can reload them after a restart; they reach the app through the services bound at start."""
from __future__ import annotations

import logging

from bot.outbox import drain
from handlers import deadlines, digests, followups, meetings

log = logging.getLogger(__name__)
_services = None


def bind(services) -> None:
    global _services
    _services = services


def services():
    if _services is None:
        raise RuntimeError("jobs run only in a scheduler that bound its services (bot.jobs.bind)")
    return _services


def deliver_outbox() -> None:
    """Send every push that is due: assignments, notifications, reminders, digests."""
    report = drain(services())
    if report.handled:
        log.info(
            "outbox.delivered sent=%s retrying=%s failed=%s dropped=%s",
            report.sent, report.retrying, report.failed, report.dropped,
        )


def daily_digest() -> None:
    """08:00: each grid leader's open and overdue cases."""
    with services().uow() as uow:
        report = digests.daily_digests(uow, now=services().clock.now())
        uow.commit()
    log.info("digest.daily queued=%s skipped_empty=%s", report.queued, report.skipped_empty)


def weekly_summary() -> None:
    """Monday morning: last week's evaluation figures for each community's staff."""
    with services().uow() as uow:
        report = digests.weekly_summaries(uow, now=services().clock.now())
        uow.commit()
    log.info("digest.weekly queued=%s", report.queued)


def deadline_sweep() -> None:
    """Warn before 签收/办结 deadlines; escalate (督办) on breach. Idempotent."""
    with services().uow() as uow:
        report = deadlines.sweep(uow, services().settings.domain, services().clock.now())
        uow.commit()
    if report.changed:
        log.info("deadlines.swept warned=%s escalated=%s at_top=%s",
                 len(report.warned), len(report.escalated), len(report.breached_at_top))


def rating_followups() -> None:
    """Ask once more for a rating a day after 办结; archive unrated cases as "no feedback" after a week."""
    with services().uow() as uow:
        report = followups.rating_followups(uow, services().settings.domain, now=services().clock.now())
        uow.commit()
    if report.asked_again or report.closed_without_rating:
        log.info("followups.done asked_again=%s closed_without_rating=%s",
                 len(report.asked_again), len(report.closed_without_rating))


def materialise_meetings() -> None:
    """Keep recurring meetings made weeks ahead, and mark meetings that have ended as done."""
    settings = services().settings.domain
    with services().uow() as uow:
        now = services().clock.now()
        created = meetings.materialise(uow, now=now, weeks_ahead=settings.meeting_weeks_ahead)
        done = uow.meetings.mark_past_done(now=now)
        uow.commit()
    if created or done:
        log.info("meetings.maintained created=%s done=%s", created, done)
