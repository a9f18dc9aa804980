"""Jobs live in the database: they survive restarts, and a run missed while no scheduler ran is
made up once if still within the job's grace time, or skipped with a log line if not."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from bot.clock import SystemClock
from bot.scheduler import JobSpec, LinliScheduler, job_specs
from tests.support import jobs as recorded


@pytest.fixture
def live_services(services):
    services.clock = SystemClock()  # APScheduler keeps real time
    recorded.runs.clear()
    recorded.ran.clear()
    return services


def lead(services, specs, timeout=20) -> LinliScheduler:
    scheduler = LinliScheduler(services, lease_seconds=3, specs=specs)
    scheduler.start_in_background()
    assert scheduler.leading.wait(timeout)
    return scheduler


def stored_next_run(services, job_id: str) -> float | None:
    with services.engine.connect() as connection:
        return connection.execute(
            text("SELECT next_run_time FROM apscheduler_jobs WHERE id = :id"), {"id": job_id}
        ).scalar()


def set_next_run(services, job_id: str, at: datetime) -> None:
    """Pretend the scheduler was down when this job was due (edit the persistent store)."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    store = SQLAlchemyJobStore(engine=services.engine)
    store._scheduler = None
    job = store.lookup_job(job_id)
    job.next_run_time = at
    store.update_job(job)


def cron_spec(grace: int) -> JobSpec:
    """A daily job whose own hour is half a day from now: the only run missed is the one a test sets (a fixed
    08:00 made a real run fall inside the grace time whenever the suite ran between 08:00 and 10:00)."""
    hour = (datetime.now(timezone.utc) + timedelta(hours=20)).hour  # 12 hours ahead in Shanghai (UTC+8)
    return JobSpec("made_up", "tests.support.jobs:record", CronTrigger(hour=hour, minute=0, timezone="Asia/Shanghai"),
                   coalesce=True, misfire_grace_time=grace)


def test_the_jobs_are_kept_in_the_database_and_survive_a_restart(live_services):
    specs = job_specs(live_services.settings)
    first = lead(live_services, specs)
    first.stop()
    time.sleep(1.5)
    digest_next = stored_next_run(live_services, "daily_digest")

    second = lead(live_services, specs)
    second.stop()

    assert digest_next is not None
    assert stored_next_run(live_services, "daily_digest") == digest_next
    assert {j.id for j in specs} == {"deliver_outbox", "deadline_sweep", "rating_followups",
                                     "materialise_meetings", "daily_digest", "weekly_summary"}


def test_a_run_missed_within_the_grace_time_is_made_up_once(live_services):
    scheduler = lead(live_services, [cron_spec(grace=2 * 3600)])
    scheduler.stop()
    time.sleep(1.5)
    set_next_run(live_services, "made_up", datetime.now(timezone.utc) - timedelta(minutes=30))

    again = lead(live_services, [cron_spec(grace=2 * 3600)])
    try:
        assert recorded.ran.wait(10)
        time.sleep(1)
    finally:
        again.stop()
    assert recorded.runs == ["ran"]


def test_a_run_missed_beyond_the_grace_time_is_skipped_with_a_log_line(live_services, caplog):
    scheduler = lead(live_services, [cron_spec(grace=2 * 3600)])
    scheduler.stop()
    time.sleep(1.5)
    set_next_run(live_services, "made_up", datetime.now(timezone.utc) - timedelta(hours=3))

    with caplog.at_level(logging.WARNING, logger="apscheduler"):
        again = lead(live_services, [cron_spec(grace=2 * 3600)])
        time.sleep(2)
        again.stop()

    assert recorded.runs == []
    assert any("was missed by" in r.getMessage() for r in caplog.records)


def test_changing_a_jobs_schedule_in_config_reschedules_it(live_services):
    first = lead(live_services, [JobSpec("tick", "tests.support.jobs:record", IntervalTrigger(hours=5),
                                         coalesce=True, misfire_grace_time=None)])
    first.stop()
    time.sleep(1.5)
    before = stored_next_run(live_services, "tick")

    second = lead(live_services, [JobSpec("tick", "tests.support.jobs:record", IntervalTrigger(hours=1),
                                          coalesce=True, misfire_grace_time=None)])
    second.stop()

    assert stored_next_run(live_services, "tick") < before
