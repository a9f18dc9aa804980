"""Background jobs with APScheduler 3: a persistent job store in the project's database, explicit
misfire and coalescing policies per job, and a database lease so only one scheduler runs them."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import jobs
from bot.leader import LeaderLease
from storage.db import make_engine
from storage.models import APSCHEDULER_TABLE

log = logging.getLogger(__name__)
TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class JobSpec:
    """One job and what happens when its time passed while no scheduler ran."""

    id: str
    func: str  # "module:function", so the persistent store can reload it
    trigger: BaseTrigger
    coalesce: bool  # several missed runs → one run
    misfire_grace_time: int | None  # seconds late a run may still start; None = however late
    max_instances: int = 1


def job_specs(settings) -> list[JobSpec]:
    return [
        # Pushes carry their own relevance (expires_at), so a late run is always useful: no grace limit.
        JobSpec("deliver_outbox", "bot.jobs:deliver_outbox",
                IntervalTrigger(seconds=settings.outbox.poll_seconds, timezone=TIMEZONE),
                coalesce=True, misfire_grace_time=None),
        # Sweeps are idempotent and always current: after downtime, one catch-up run, however late.
        JobSpec("deadline_sweep", "bot.jobs:deadline_sweep", IntervalTrigger(minutes=5, timezone=TIMEZONE),
                coalesce=True, misfire_grace_time=None),
        JobSpec("rating_followups", "bot.jobs:rating_followups", IntervalTrigger(minutes=30, timezone=TIMEZONE),
                coalesce=True, misfire_grace_time=None),
        JobSpec("materialise_meetings", "bot.jobs:materialise_meetings", IntervalTrigger(hours=1, timezone=TIMEZONE),
                coalesce=True, misfire_grace_time=None),
        # A digest missed at 08:00 (scheduler down) still goes out until 10:00, once; later it is
        # skipped with APScheduler's "was missed by" log line.
        JobSpec("daily_digest", "bot.jobs:daily_digest", CronTrigger(hour=8, minute=0, timezone=TIMEZONE),
                coalesce=True, misfire_grace_time=2 * 3600),
        JobSpec("weekly_summary", "bot.jobs:weekly_summary",
                CronTrigger(day_of_week="mon", hour=8, minute=30, timezone=TIMEZONE),
                coalesce=True, misfire_grace_time=6 * 3600),
    ]


class LinliScheduler:
    """Waits as a standby until it holds the lease, then runs the jobs; gives them up if it loses it."""

    def __init__(self, services, *, lease_seconds: float = 30.0, specs: list[JobSpec] | None = None):
        self.services = services
        self.specs = specs if specs is not None else job_specs(services.settings)
        self.lease = LeaderLease(services.session_factory, services.clock, ttl_seconds=lease_seconds)
        self.heartbeat = lease_seconds / 3
        self._stop = threading.Event()
        self._scheduler: BackgroundScheduler | None = None
        self._thread: threading.Thread | None = None
        self.leading = threading.Event()

    # -- lifecycle ----------------------------------------------------------------------------
    def run(self) -> None:
        """Block until stop(): standby → lead → (lost lease) → standby …"""
        jobs.bind(self.services)
        announced_standby = False
        try:
            while not self._stop.is_set():
                if self.lease.acquire():
                    if self._scheduler is None:
                        self._lead()
                        announced_standby = False
                elif self._scheduler is not None:
                    log.warning("scheduler.lost_lease holder=%s", self.lease.holder)
                    self._step_down()
                elif not announced_standby:
                    log.info("scheduler.standby holder=%s (another scheduler holds the lease)", self.lease.holder)
                    announced_standby = True
                self._stop.wait(self.heartbeat)
        finally:
            if self._scheduler is not None:
                self._step_down()
                self.lease.release()

    def start_in_background(self) -> threading.Thread:
        self._thread = threading.Thread(target=self.run, name="linli-scheduler", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 15) -> None:
        """Stop leading, hand back the lease, and (when running in the background) wait for that."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    # -- leading ------------------------------------------------------------------------------
    def _lead(self) -> None:
        settings = self.services.settings
        store = SQLAlchemyJobStore(engine=make_engine(settings.database_url), tablename=APSCHEDULER_TABLE)
        scheduler = BackgroundScheduler(
            jobstores={"default": store},
            executors={"default": ThreadPoolExecutor(4)},
            timezone=TIMEZONE,
        )
        scheduler.start(paused=True)
        sync_jobs(scheduler, self.specs)
        scheduler.resume()  # runs what fell due while no scheduler ran, per each job's misfire policy
        self._scheduler = scheduler
        self.leading.set()
        log.info("scheduler.leading holder=%s jobs=%s", self.lease.holder, [j.id for j in scheduler.get_jobs()])

    def _step_down(self) -> None:
        self.leading.clear()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)


def sync_jobs(scheduler, specs: list[JobSpec]) -> None:
    """Make the persistent store hold exactly these jobs, keeping each job's next run time (and so
    its missed runs) unless its trigger changed in config."""
    wanted = {spec.id: spec for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            log.info("scheduler.job_removed id=%s", job.id)
            job.remove()
    for spec in specs:
        options = {"coalesce": spec.coalesce, "misfire_grace_time": spec.misfire_grace_time,
                   "max_instances": spec.max_instances}
        job = scheduler.get_job(spec.id)
        if job is None:
            scheduler.add_job(spec.func, spec.trigger, id=spec.id, replace_existing=True, **options)
            continue
        if str(job.trigger) != str(spec.trigger) or job.func_ref != spec.func:
            log.info("scheduler.job_rescheduled id=%s trigger=%s", spec.id, spec.trigger)
            job.modify(func=spec.func, **options)
            job.reschedule(spec.trigger)
        elif any(getattr(job, name) != value for name, value in options.items()):
            job.modify(**options)


def run_forever(services) -> None:
    """`linli scheduler`: the one scheduler process of a production deployment (others wait)."""
    import signal

    scheduler = LinliScheduler(services, lease_seconds=services.settings.scheduler_lease_seconds)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: scheduler.stop())
    log.info("scheduler.started holder=%s", scheduler.lease.holder)
    scheduler.run()
    log.info("scheduler.stopped holder=%s", scheduler.lease.holder)
