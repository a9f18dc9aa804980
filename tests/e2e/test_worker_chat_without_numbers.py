"""A worker on a phone types 签收 or 办结 without the case number when only one case can be meant, and
asks for 我的工单; with several cases nothing is done on a guess."""
from __future__ import annotations

from tests.support.inspect import all_cases
from tests.support.wechat_actions import report


def states(services) -> dict[str, str]:
    return {c["case_no"]: c["state"] for c in all_cases(services)}


def test_with_one_case_in_hand_accept_and_resolve_need_no_number(wechat, services):
    report(wechat.as_user("o_resident_wang"), "3号楼2单元501厨房水管漏水")
    engineer = wechat.as_user("o_xsj_eng1")

    too_early = engineer.text("办结 已更换阀门").reply  # not accepted yet: nothing to resolve
    accepted = engineer.text("签收").reply
    asked = engineer.text("办结").reply
    resolved = engineer.text("办结：已更换阀门，不再漏水").reply

    assert "没有可以办结的工单" in too_early
    assert accepted.startswith("已签收：R20261124-0001")
    assert "请写上办理结果" in asked
    assert resolved.startswith("已办结：R20261124-0001")
    [case] = all_cases(services)
    assert case["state"] == "resolved" and case["result"] == "已更换阀门，不再漏水"


def test_with_several_cases_a_command_without_number_lists_them_and_changes_nothing(wechat, services):
    report(wechat.as_user("o_resident_wang"), "3号楼2单元501厨房水管漏水")
    report(wechat.as_user("o_resident_li"), "2号楼1单元301暖气不热")
    engineer = wechat.as_user("o_xsj_eng1")

    reply = engineer.text("接单").reply

    assert reply.startswith("您有2件工单可以接单，请带上编号，如：接单 R20261124-0001")
    assert "R20261124-0001" in reply and "R20261124-0002" in reply
    assert set(states(services).values()) == {"dispatched"}
    assert engineer.text("签收 R20261124-0002").reply.startswith("已签收：R20261124-0002")


def test_my_cases_lists_what_the_worker_has_in_hand(wechat, services):
    engineer = wechat.as_user("o_xsj_eng1")
    assert engineer.text("我的工单").reply == "您手上现在没有未办完的工单。"
    report(wechat.as_user("o_resident_wang"), "3号楼2单元501厨房水管漏水")

    listed = engineer.text("我的工单").reply

    assert listed.startswith("您手上有1件工单：\nR20261124-0001 报修·") and "待签收，今天12:00前签收" in listed
    assert "工作指令的写法" in engineer.text("指令").reply


def test_what_only_looks_like_a_command_and_residents_words_go_to_the_conversation(wechat, services):
    report(wechat.as_user("o_resident_wang"), "3号楼2单元501厨房水管漏水")

    staff_question = wechat.as_user("o_xsj_eng1").text("完成了吗").reply
    resident = wechat.as_user("o_resident_li").text("签收").reply

    assert "已签收" not in staff_question and "已办结" not in staff_question
    assert "已签收" not in resident and "没有可以签收" not in resident
    assert states(services) == {"R20261124-0001": "dispatched"}
