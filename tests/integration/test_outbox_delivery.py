"""Pushes leave through the outbox: real HTTP to the local WeChat API stand-in, retried, never lost."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from bot import links
from bot.outbox import deliver_due
from tests.support.inspect import outbox
from tests.support.wechat_actions import report

REPAIR = "3号楼2单元501厨房水管漏水"
TEMPLATE = "message/template/send"


@pytest.fixture
def assigned_push(wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    [push] = outbox(services)
    return push


def test_the_assignee_gets_a_template_message_with_short_keywords_and_a_signed_link(assigned_push, services, wechat_api):
    report_ = deliver_due(services)

    assert report_.sent == 1
    [call] = wechat_api.delivered(TEMPLATE)
    body = call.body
    assert body["touser"] == "o_xsj_eng1" and body["template_id"] == "TEMPLATE_CASE_ASSIGNED"
    assert body["data"]["character_string1"]["value"] == "R20261124-0001"
    assert all(len(v["value"]) <= 20 and "\n" not in v["value"] for v in body["data"].values())
    assert "first" not in body["data"] and "remark" not in body["data"]
    url = urlparse(body["url"])
    assert url.path == "/w/cases/R20261124-0001"
    assert links.verify(services.settings.secret_key, parse_qs(url.query)["t"][0]) == "o_xsj_eng1"
    assert body["client_msg_id"]
    assert outbox(services)[0]["status"] == "sent"


def test_a_transient_failure_is_retried_later_and_then_sent(assigned_push, services, wechat_api, clock):
    wechat_api.fail_next(TEMPLATE, -1, errmsg="system error")

    first = deliver_due(services)
    assert (first.sent, first.retrying) == (0, 1)
    assert deliver_due(services).sent == 0  # not due yet: backoff
    clock.advance(minutes=5)
    second = deliver_due(services)

    assert second.sent == 1
    [row] = outbox(services)
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert len(wechat_api.delivered(TEMPLATE)) == 1


def test_an_http_error_from_wechat_is_retried(assigned_push, services, wechat_api, clock):
    wechat_api.http_error_next(TEMPLATE, 502)

    assert deliver_due(services).retrying == 1
    clock.advance(minutes=5)
    assert deliver_due(services).sent == 1


def test_a_permanent_failure_is_recorded_and_not_retried(assigned_push, services, wechat_api, clock):
    wechat_api.fail_next(TEMPLATE, 43004, errmsg="require subscribe")

    result = deliver_due(services)
    clock.advance(hours=2)
    deliver_due(services)

    assert result.failed == 1
    [row] = outbox(services)
    assert row["status"] == "failed" and row["last_error"].startswith("43004")
    assert len(wechat_api.calls(TEMPLATE)) == 1


def test_retries_stop_after_the_configured_number_of_attempts(assigned_push, services, wechat_api, clock):
    attempts = services.settings.outbox.max_attempts
    wechat_api.fail_next(TEMPLATE, 45009, times=attempts + 5)

    for _ in range(attempts + 3):
        deliver_due(services)
        clock.advance(hours=1)

    [row] = outbox(services)
    assert (row["status"], row["attempts"]) == ("failed", attempts)


def test_an_expired_token_is_refreshed_once_and_the_push_goes_out(assigned_push, services, wechat_api):
    deliver_due(services)  # fetches a token
    wechat_api.expire_tokens()
    with services.uow() as uow:
        uow.outbox.add(dedupe_key="probe-1", openid="o_xsj_eng1", kind="text", payload={"text": "测试"},
                       case_id=None, now=services.clock.now())
        uow.commit()

    result = deliver_due(services)

    assert result.sent == 1
    custom = wechat_api.calls("message/custom/send")
    assert [c.body.get("_ok", False) for c in custom] == [False, True]  # 40001, then success
    assert len(wechat_api.calls("stable_token")) == 2


def test_a_slow_wechat_api_times_out_and_the_push_is_retried(assigned_push, services, wechat_api, clock, monkeypatch):
    services.sender.client.timeout = 0.5
    deliver_due(services)  # token + first push
    with services.uow() as uow:
        uow.outbox.add(dedupe_key="probe-slow", openid="o_xsj_eng1", kind="text", payload={"text": "慢"},
                       case_id=None, now=services.clock.now())
        uow.commit()
    wechat_api.delay_next("message/custom/send", 2.0)

    assert deliver_due(services).retrying == 1
    clock.advance(minutes=5)
    assert deliver_due(services).sent == 1


def test_a_leased_push_is_not_sent_twice_by_two_senders(assigned_push, services, wechat_api):
    with services.uow() as uow:
        claimed = uow.outbox.claim_due(now=services.clock.now(), limit=10, lease=timedelta(seconds=60))
        uow.commit()
    assert len(claimed) == 1

    assert deliver_due(services).sent == 0  # the other sender holds the lease


def test_without_credentials_pushes_are_recorded_by_the_log_sender(config_file, database_url, tmp_path, interpreter, clock):
    from bot.bootstrap import bootstrap
    from bot.push import LogSender
    from tests.conftest import make_settings

    settings = make_settings(config_file, database_url, tmp_path)
    services = bootstrap(settings, interpreter=interpreter, clock=clock)
    try:
        assert isinstance(services.sender, LogSender)
        with services.uow() as uow:
            uow.outbox.add(dedupe_key="log-1", openid="o_xsj_eng1", kind="text", payload={"text": "你好"},
                           case_id=None, now=clock.now())
            uow.commit()
        assert deliver_due(services).sent == 1
        assert outbox(services)[0]["channel"] == "log"
    finally:
        services.close()
