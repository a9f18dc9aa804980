"""Background jobs with APScheduler: for now, draining the outbox."""
from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.outbox import deliver_due

log = logging.getLogger(__name__)


def deliver_outbox(services) -> None:
    report = deliver_due(services)
    if report.sent or report.retrying or report.failed:
        log.info("outbox.delivered sent=%s retrying=%s failed=%s", report.sent, report.retrying, report.failed)


def add_jobs(scheduler, services) -> None:
    scheduler.add_job(
        deliver_outbox,
        "interval",
        seconds=services.settings.outbox.poll_seconds,
        args=[services],
        id="deliver_outbox",
        max_instances=1,  # one drain at a time; leases guard against other processes
        coalesce=True,  # a backlog of missed polls is one poll
        replace_existing=True,
    )


def start_in_background(services) -> BackgroundScheduler:
    """`linli run`: the jobs run in the web process (embedded default)."""
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    add_jobs(scheduler, services)
    scheduler.start()
    return scheduler


def run_forever(services) -> None:
    """`linli scheduler`: the one scheduler process of a production deployment."""
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    add_jobs(scheduler, services)
    log.info("scheduler.started")
    scheduler.start()
