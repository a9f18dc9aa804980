"""The WeChat callback: signatures, echo, retries, malformed input, concurrency, (un)subscribe."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.wechat_simulator import sign
from storage.models import InboundMessage
from tests.support.inspect import all_cases, count, resident_row
from tests.support.wechat_actions import client_transport, report

REPAIR = "3号楼2单元501厨房水管漏水"


def test_get_echoes_echostr_when_the_signature_is_ours(client, settings):
    query = {"timestamp": "1732420000", "nonce": "n1", "echostr": "hello-linli"}
    query["signature"] = sign(settings.wechat.token, query["timestamp"], query["nonce"])

    response = client.get("/wechat", query_string=query)

    assert (response.status_code, response.get_data(as_text=True)) == (200, "hello-linli")


def test_get_with_a_wrong_signature_is_refused(client):
    response = client.get("/wechat", query_string={"timestamp": "1", "nonce": "n", "signature": "x", "echostr": "e"})

    assert response.status_code == 403


@pytest.mark.parametrize("mode", ["plain", "aes"])
def test_a_post_with_a_bad_signature_is_refused_and_creates_nothing(wechat, services, mode):
    resident = wechat.as_user("o_forger", mode=mode)

    result = resident.post_raw(resident.build_xml({"MsgType": "text", "Content": REPAIR}, msg_id=1), signature="0" * 40)

    assert result.status == 403
    assert count(services, InboundMessage) == 0


def test_an_aes_message_with_a_tampered_msg_signature_is_refused(client, settings, services):
    from urllib.parse import urlencode

    from wechatpy.crypto import WeChatCrypto

    crypto = WeChatCrypto(settings.wechat.token, settings.wechat.aes_key, settings.wechat.appid)
    envelope = crypto.encrypt_message("<xml><MsgType>text</MsgType></xml>", "n", "1732420000")
    query = {"timestamp": "1732420000", "nonce": "n", "encrypt_type": "aes", "msg_signature": "f" * 40}
    query["signature"] = sign(settings.wechat.token, "1732420000", "n")

    response = client.post(f"/wechat?{urlencode(query)}", data=envelope)

    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        b"this is not xml",
        b"<xml><ToUserName>gh</ToUserName>",  # cut off
        b"<xml><FromUserName>o_a</FromUserName><Content>no MsgType</Content></xml>",
        b"",
        "<xml><ToUserName>gh</ToUserName><FromUserName>o_a</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>\x01\x02电梯\x1b坏了</Content><MsgId>77</MsgId></xml>".encode(),
    ],
    ids=["not-xml", "truncated", "no-msgtype", "empty", "control-characters"],
)
def test_malformed_deliveries_are_answered_success_never_an_error(wechat, services, body):
    result = wechat.as_user().post_raw(body)

    assert (result.status, result.body) == (200, "success")
    assert all_cases(services) == []


def test_garbage_inside_valid_aes_encryption_is_answered_success(wechat, services):
    result = wechat.as_user(mode="aes").post_raw("<<<garbage>>>")

    assert (result.status, result.body) == (200, "success")


def test_three_retries_of_one_delivery_create_one_case_and_get_the_same_reply(wechat, services):
    resident = wechat.as_user("o_resident_retry")
    report(resident, REPAIR)  # settles the resident's community: the next report is one message
    services_cases_before = len(all_cases(services))

    replies = [resident.text("5号楼1单元202卫生间马桶堵了", msg_id=424242).reply for _ in range(3)]

    assert len(set(replies)) == 1 and "R20261124" in replies[0]
    assert len(all_cases(services)) == services_cases_before + 1


def test_retries_arriving_at_the_same_time_create_one_case(wechat, services):
    resident = wechat.as_user("o_resident_burst")
    report(resident, REPAIR)
    barrier = threading.Barrier(3)

    def deliver(_):
        barrier.wait()
        return resident.text("6号楼2单元302暖气不热", msg_id=515151).reply

    with ThreadPoolExecutor(3) as pool:
        replies = list(pool.map(deliver, range(3)))

    cases = [c for c in all_cases(services) if c["location"].startswith("6号楼")]
    assert len(cases) == 1
    assert len(set(replies)) == 1 and cases[0]["case_no"] in replies[0]


def test_concurrent_deliveries_from_many_residents_all_get_answers_and_cases(app, settings, services):
    from bot.wechat_simulator import WeChatSimulator

    openids = [f"o_resident_c{i:02d}" for i in range(12)]

    def resident_reports(openid: str):
        simulator = WeChatSimulator(
            client_transport(app.test_client()), token=settings.wechat.token, openid=openid
        )
        number = int(openid[-2:])  # a different home each: the same leak at the same home would be merged
        return report(simulator, f"{number % 8 + 1}号楼1单元{number // 8 + 1}01 水管漏水")

    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(resident_reports, openids))

    assert all(r.status == 200 and r.reply for r in results)
    cases = all_cases(services)
    assert len(cases) == len(openids)
    assert len({c["case_no"] for c in cases}) == len(openids)  # numbers never collide
    assert all(c["state"] == "dispatched" for c in cases)
    assert time.monotonic() - started < 120


def test_subscribing_gets_a_chinese_welcome_that_says_what_the_account_does(wechat):
    result = wechat.as_user("o_newcomer").event("subscribe")

    assert "欢迎关注" in result.reply and "报事报修" in result.reply and "你下单我跑腿" in result.reply


def test_a_retried_subscribe_event_is_answered_once_and_the_same(wechat, services):
    resident = wechat.as_user("o_newcomer2")
    first = resident.event("subscribe", create_time=1732420000)
    again = resident.event("subscribe", create_time=1732420000)

    assert first.reply == again.reply
    assert count(services, InboundMessage) == 1


def test_unsubscribing_deletes_the_residents_personal_data_but_keeps_the_case(wechat, services):
    resident = wechat.as_user("o_leaver")
    report(resident, REPAIR)

    result = resident.event("unsubscribe")

    assert (result.status, result.body) == (200, "success")
    assert resident_row(services, "o_leaver") is None
    [case] = all_cases(services)
    assert case["reporter"] is None and case["state"] == "dispatched"


def test_messages_of_other_kinds_get_a_polite_answer(wechat):
    result = wechat.as_user().send({"MsgType": "video", "MediaId": "m1", "ThumbMediaId": "t1"})

    assert result.reply and "打字" in result.reply
