"""A resident reports a repair on WeChat and the right red butler team member gets it."""
from __future__ import annotations

import pytest

from tests.support.inspect import all_cases, outbox, resident_row
from tests.support.wechat_actions import report

REPAIR = "3号楼2单元501厨房水管漏水"


@pytest.mark.parametrize("mode", ["plain", "compat", "aes"])
def test_a_repair_becomes_one_dispatched_case_for_the_engineering_member_of_the_grid(wechat, services, mode):
    resident = wechat.as_user("o_resident_wang", mode=mode)

    result = report(resident, REPAIR)

    assert result.status == 200
    [case] = all_cases(services)
    assert case["case_no"] == "R20261124-0001"
    assert (case["kind"], case["category"], case["state"]) == ("repair", "engineering", "dispatched")
    assert (case["community"], case["grid"], case["location"]) == ("新世纪社区", "xsj-1", "3号楼2单元501")
    assert case["assignee"]["openid"] == "o_xsj_eng1"  # 王建国 looks after grids xsj-1 and xsj-2
    assert [e["step"] for e in case["events"]] == ["信息上报", "核实立案", "分流交办"]
    assert [e["to"] for e in case["events"]] == ["reported", "registered", "dispatched"]
    assert case["case_no"] in result.reply and "红色管家·工程" in result.reply and "前会联系您" in result.reply
    [push] = outbox(services)
    assert (push["openid"], push["kind"], push["payload"]["template"]) == ("o_xsj_eng1", "template", "case_assigned")
    assert push["payload"]["fields"]["case_no"] == "R20261124-0001"


def test_a_building_number_found_in_two_communities_is_asked_about_with_numbered_choices(wechat, services):
    resident = wechat.as_user("o_resident_li")

    question = resident.text(REPAIR)

    assert "1. 新世纪社区3号楼" in question.reply and "2. 明眼泉社区3号楼" in question.reply
    assert all_cases(services) == []
    # Picking which 3号楼 adds nothing to what the resident said: the case is opened at once.
    answer = resident.text("2")
    [case] = all_cases(services)
    assert (case["community"], case["grid"], case["assignee"]["openid"]) == ("明眼泉社区", "myq-1", "o_myq_eng1")
    assert case["case_no"] in answer.reply


def test_once_a_residents_community_is_known_the_building_is_not_asked_again(wechat, services):
    resident = wechat.as_user("o_resident_zhou")
    report(resident, REPAIR)

    second = resident.text("3号楼1单元楼道灯不亮了")

    assert "R20261124-0002" in second.reply
    assert [c["community"] for c in all_cases(services)] == ["新世纪社区", "新世纪社区"]


def test_a_unit_that_only_one_community_has_settles_which_building_is_meant(wechat, services):
    resident = wechat.as_user("o_resident_sun")

    result = resident.text("12号楼东单元电梯坏了")

    [case] = all_cases(services)
    assert (case["community"], case["grid"], case["location"]) == ("新世纪社区", "xsj-3", "12号楼东单元")
    assert case["assignee"]["openid"] == "o_xsj_eng2"
    assert case["case_no"] in result.reply


def test_a_repair_without_a_place_asks_where_and_then_opens_the_case(wechat, services):
    resident = wechat.as_user("o_resident_zhao")

    ask = resident.text("楼道里的灯坏了好几天了")
    assert "楼栋和房号" in ask.reply
    assert all_cases(services) == []

    done = report(resident, "5号楼3单元302")

    [case] = all_cases(services)
    assert (case["grid"], case["category"], case["location"]) == ("xsj-2", "engineering", "5号楼3单元302")
    assert case["description"] == "楼道里的灯坏了好几天了"
    assert case["case_no"] in done.reply


def test_cancel_words_end_an_unfinished_report_without_a_case(wechat, services):
    resident = wechat.as_user("o_resident_qian")
    resident.text("楼道里的灯坏了好几天了")

    reply = resident.text("算了")

    assert "取消" in reply.reply
    assert all_cases(services) == []
    assert resident_row(services, "o_resident_qian")["form"] is None


def test_the_first_place_a_resident_reports_from_becomes_their_address(wechat, services):
    report(wechat.as_user("o_resident_wu"), REPAIR)

    assert resident_row(services, "o_resident_wu")["address"] == ("3", "2", "501")
