"""The scheduler as real processes: killed and restarted, or two of them on one database, every
scheduled push still reaches its resident exactly once."""
from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.processes import LinliProcess, linli_env
from tests.support.reminders import load_reminders, outbox_ids_by_key, sent_count

pytestmark = pytest.mark.slow
COUNT = 300


def wait_until(predicate, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def deliveries(wechat_api, database_url) -> Counter:
    """How often each reminder reached WeChat (accepted calls, raw, before WeChat's own de-duplication)."""
    keys = outbox_ids_by_key(database_url)
    counts = Counter()
    for call in wechat_api.calls("message/template/send"):
        if call.body.get("_ok"):
            outbox_id = int(call.body["client_msg_id"].rsplit("-", 1)[1])
            counts[keys.get(outbox_id, "other")] += 1
    return counts


def env_for(database_url, tmp_path, wechat_api, **extra):
    return linli_env(
        database_url, tmp_path / "var", WECHAT_APPID="wxtestappid00001", WECHAT_SECRET="test-secret",
        WECHAT_API_BASE_URL=wechat_api.base_url, **extra,
    )


@pytest.fixture
def short_lease_config(tmp_path, config_file):
    """config.yaml with a 3-second scheduler lease, so a standby takes over quickly in tests."""
    text = config_file.read_text(encoding="utf-8").replace("lease_seconds: 30", "lease_seconds: 3")
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scheduler_killed_mid_run_and_restarted_loses_and_repeats_nothing(database_url, tmp_path, wechat_api,
                                                                           short_lease_config):
    wechat_api.reset()
    start = datetime.now(timezone.utc) + timedelta(seconds=2)
    due = load_reminders(database_url, COUNT, first_due=start, spread=timedelta(seconds=8))
    env = env_for(database_url, tmp_path, wechat_api, LINLI_CONFIG=str(short_lease_config))

    first = LinliProcess(["scheduler"], env)
    try:
        assert wait_until(lambda: sent_count(database_url) >= COUNT // 3, timeout=60), first.output()
    finally:
        first.kill()
    second = LinliProcess(["scheduler"], env)
    try:
        assert wait_until(lambda: sent_count(database_url) == COUNT, timeout=90), second.output()
    finally:
        second.stop()

    counts = deliveries(wechat_api, database_url)
    assert set(due) <= set(counts)  # nothing lost
    unique = {c.body["client_msg_id"] for c in wechat_api.delivered("message/template/send")}
    assert len(unique) == COUNT  # each resident sees each reminder once (WeChat de-duplicates on client_msg_id)
    # A push can be sent and the process killed before it records so: it is re-sent with the same
    # client_msg_id. That window is one batch at most.
    assert sum(n - 1 for n in counts.values()) <= 100


@pytest.mark.postgres
def test_two_schedulers_on_one_postgresql_database_send_each_reminder_once(db_templates, tmp_path, wechat_api,
                                                                            short_lease_config):
    from tests.support.databases import postgres_available

    if not postgres_available():
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    database_url = db_templates.fresh("postgresql", tmp_path)
    wechat_api.reset()
    try:
        start = datetime.now(timezone.utc) + timedelta(seconds=3)
        load_reminders(database_url, COUNT, first_due=start, spread=timedelta(seconds=8))
        env = env_for(database_url, tmp_path, wechat_api, LINLI_CONFIG=str(short_lease_config))
        one, two = LinliProcess(["scheduler"], env), LinliProcess(["scheduler"], env)
        try:
            assert wait_until(lambda: one.log_contains("scheduler.leading") or two.log_contains("scheduler.leading"),
                              timeout=60)
            leader, standby = (one, two) if one.log_contains("scheduler.leading") else (two, one)
            assert standby.wait_for_log("scheduler.standby", timeout=30)
            assert wait_until(lambda: sent_count(database_url) >= COUNT // 3, timeout=60)
            leader.kill()  # the standby takes over once the lease runs out
            assert standby.wait_for_log("scheduler.leading", timeout=30), standby.output()
            assert wait_until(lambda: sent_count(database_url) == COUNT, timeout=90)
        finally:
            one.stop()
            two.stop()
        counts = deliveries(wechat_api, database_url)
        assert len([k for k in counts if k != "other"]) == COUNT
        assert len({c.body["client_msg_id"] for c in wechat_api.delivered("message/template/send")}) == COUNT
        assert sum(n - 1 for n in counts.values()) <= 100
    finally:
        db_templates.drop(database_url)
