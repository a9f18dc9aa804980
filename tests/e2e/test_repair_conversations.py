"""Repairs told over several messages, with corrections, defaults, pictures, voice and locations."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Case
from tests.support.conversation import chat, register
from tests.support.inspect import all_cases, resident_row


def case_details(services, number: str) -> dict:
    with services.uow() as uow:
        return dict(uow.session.scalars(select(Case).where(Case.number == number)).one().details)


def test_a_clear_report_is_created_at_once_and_says_how_to_undo_it(wechat, services):
    resident = register(wechat, "o_res_clear")

    reply = resident.say("3号楼2单元501厨房水管漏水")

    [case] = all_cases(services)
    assert case["case_no"] in reply and "回复“取消”可撤回" in reply
    undo = resident.say("取消")
    assert "已撤回" in undo and all_cases(services)[0]["state"] == "cancelled"


def test_a_tower_named_by_a_letter_is_found_and_its_grid_gets_the_case(wechat, services):
    resident = chat(wechat, "o_res_tower")

    reply = resident.say("A座1单元15楼1502厨房水管漏水")  # the floor said before the room, as many do

    [case] = all_cases(services)
    assert (case["location"], case["grid"]) == ("A座1单元1502", "myq-3")
    assert case["case_no"] in reply and "田师傅" in reply  # 明眼泉社区's engineering butler


def test_a_tower_address_alone_is_not_taken_for_the_problem(wechat, services):
    resident = chat(wechat, "o_res_tower_first")
    assert "维修的问题" in resident.click("REPAIR")

    still = resident.say("B座2单元1801")
    summary = resident.say("卫生间马桶堵了")

    assert "维修的问题" in still
    assert "B座2单元1801" in summary and "马桶堵了" in summary


def test_a_tower_the_community_does_not_have_is_questioned_not_guessed(wechat, services):
    resident = chat(wechat, "o_res_no_tower")

    reply = resident.say("D座2单元801卫生间漏水")

    assert "没有找到D座" in reply
    assert all_cases(services) == []


@pytest.mark.parametrize(
    "report, answer, location",
    [
        ("3号楼5单元501厨房水管漏水", "二", "3号楼2单元501"),
        ("3号楼B座501厨房水管漏水", "2单元", "3号楼2单元501"),  # a tower inside a numbered building
        ("12号楼3单元602 厨房漏水", "东", "12号楼东单元602"),
    ],
)
def test_a_unit_the_building_does_not_have_is_asked_about_and_the_room_said_is_kept(wechat, services, report, answer, location):
    resident = register(wechat, "o_res_no_unit", "3号楼1单元101")  # the registered room must not creep in

    question = resident.say(report)
    summary = resident.say(answer)
    resident.say("是的")

    assert "只有" in question and "请问是几单元" in question
    assert location in summary
    [case] = all_cases(services)
    assert case["location"] == location


def test_a_correction_at_the_confirmation_that_fills_nothing_else_is_added_to_the_problem(wechat, services):
    resident = register(wechat, "o_res_added", "3号楼1单元101")
    resident.say("俺家漏水了")

    corrected = resident.say("不对 是楼上往下漏")
    resident.say("是")

    assert corrected.startswith("好的，已补充。") and "问题：俺家漏水了；楼上往下漏" in corrected
    [case] = all_cases(services)
    assert (case["description"], case["location"]) == ("俺家漏水了；楼上往下漏", "3号楼1单元101")


def test_the_registered_address_is_used_but_confirmed_first(wechat, services):
    resident = register(wechat, "o_res_default", "5号楼1单元202")

    summary = resident.say("楼道灯不亮了")

    assert "新世纪社区5号楼1单元202" in summary and "对吗" in summary
    assert all_cases(services) == []
    done = resident.say("对的")
    [case] = all_cases(services)
    assert (case["location"], case["grid"], case["description"]) == ("5号楼1单元202", "xsj-2", "楼道灯不亮了")
    assert case["case_no"] in done


def test_not_right_its_502_corrects_the_room_before_anything_is_created(wechat, services):
    resident = register(wechat, "o_res_fix")
    assert "对吗" in resident.say("厨房水管漏水")

    corrected = resident.say("不对，是502")

    assert "3号楼2单元502" in corrected and "对吗" in corrected
    resident.say("是")
    [case] = all_cases(services)
    assert case["location"] == "3号楼2单元502"


def test_no_then_picking_what_to_change_asks_for_it_again(wechat, services):
    resident = register(wechat, "o_res_pick")
    resident.say("厨房水管漏水")

    which = resident.say("不对")
    assert "哪一项要改" in which and "地点" in which
    ask = resident.say("地点")  # by name; "3" (its number) works too
    assert "楼栋和房号" in ask
    again = resident.say("6号楼3单元601")
    assert "新世纪社区6号楼3单元601" in again and "对吗" in again
    resident.say("嗯")

    assert all_cases(services)[0]["location"] == "6号楼3单元601"


def test_problem_and_place_may_come_in_any_order(wechat, services):
    resident = chat(wechat, "o_res_order")
    assert "维修的问题" in resident.click("REPAIR")

    still = resident.say("5号楼3单元302")  # the place first
    summary = resident.say("卫生间马桶堵了")

    assert "维修的问题" in still
    assert "5号楼3单元302" in summary and "马桶堵了" in summary
    resident.say("是")
    [case] = all_cases(services)
    assert (case["location"], case["category"], case["description"]) == ("5号楼3单元302", "engineering", "卫生间马桶堵了")


def test_without_a_phone_on_file_the_reply_asks_for_one_and_keeps_it(wechat, services):
    resident = chat(wechat, "o_res_phone")
    reply = resident.say("12号楼东单元电梯坏了")
    assert "手机号" in reply

    thanks = resident.say("13912345678")

    [case] = all_cases(services)
    assert "已记下" in thanks
    assert case_details(services, case["case_no"])["phone"] == "13912345678"
    assert resident_row(services, "o_res_phone")["phone"] == "13912345678"
    second = resident.say("12号楼东单元楼道灯坏了")
    assert "手机号" not in second  # known now


def test_a_message_that_is_not_a_phone_number_is_understood_as_what_it_is(wechat, services):
    resident = chat(wechat, "o_res_nophone")
    resident.say("12号楼东单元电梯坏了")

    status = resident.say("我报的修咋样了")

    assert "第3步" in status and "电梯" in status
    assert len(all_cases(services)) == 1 and resident_row(services, "o_res_nophone")["form"] is None


def test_a_picture_sent_after_a_report_goes_with_the_case(wechat, services):
    resident = register(wechat, "o_res_photo")
    reply = resident.say("3号楼2单元501厨房水管漏水")
    number = all_cases(services)[0]["case_no"]

    answer = resident.image(media_id="media-leak-1")

    assert number in answer and "照片" in answer
    photos = case_details(services, number)["photos"]
    assert [p["media_id"] for p in photos] == ["media-leak-1"] and photos[0]["pic_url"].endswith("media-leak-1.jpg")
    assert number in reply


def test_a_picture_with_nothing_open_starts_a_repair_that_keeps_it(wechat, services):
    resident = register(wechat, "o_res_photo_first")

    ask = resident.image(media_id="media-tree-1")
    assert "照片收到了" in ask and "问题" in ask
    summary = resident.say("楼下的树枝快掉下来了")
    assert "照片：1张" in summary
    resident.say("是")

    [case] = all_cases(services)
    assert case["category"] == "greening"
    assert [p["media_id"] for p in case_details(services, case["case_no"])["photos"]] == ["media-tree-1"]


def test_a_voice_message_is_read_from_wechats_recognition(wechat, services):
    resident = register(wechat, "o_res_voice")

    summary = resident.voice("俺家厕所下水道堵了咋整")
    resident.say("中")

    [case] = all_cases(services)
    assert "对吗" in summary and case["description"] == "俺家厕所下水道堵了咋整"
    assert "没听清" in resident.voice("")


def test_a_location_message_picks_the_nearest_grid_and_is_confirmed(wechat, services):
    resident = chat(wechat, "o_res_location")
    assert "楼栋和房号" in resident.say("小区门口的路灯坏了")

    summary = resident.location(36.7172, 117.5336, "新世纪花园南门")

    assert "新世纪第三网格" in summary and "对吗" in summary
    resident.say("是")
    [case] = all_cases(services)
    assert (case["grid"], case["assignee"]["openid"]) == ("xsj-3", "o_xsj_eng2")
    assert "新世纪花园南门" in case["location"]


def test_a_location_far_from_every_grid_is_not_used(wechat, services):
    resident = chat(wechat, "o_res_far")
    resident.say("楼道灯坏了")

    reply = resident.location(39.9042, 116.4074, "天安门")

    assert "有点远" in reply and all_cases(services) == []


def test_a_location_outside_a_conversation_names_the_grid_and_its_worker(wechat):
    reply = chat(wechat, "o_res_where").location(36.7199, 117.5303)

    assert "新世纪第二网格" in reply and "马超" in reply


def test_my_phone_is_followed_by_the_number_is_kept_whatever_the_nlu_calls_it(wechat, services):
    resident = chat(wechat, "o_res_myphone")
    resident.say("12号楼东单元电梯坏了")

    reply = resident.say("我的电话是13912345678")

    assert "已记下" in reply and resident_row(services, "o_res_myphone")["phone"] == "13912345678"


def test_naming_the_community_settles_whose_building_is_meant(wechat, services):
    resident = register(wechat, "o_res_other_place")  # lives in 新世纪社区

    resident.say("明眼泉社区8号楼2单元502楼道灯坏了，是俺闺女家")

    [case] = all_cases(services)
    assert (case["community"], case["grid"], case["location"]) == ("明眼泉社区", "myq-3", "8号楼2单元502")


def test_dont_cancel_after_a_report_keeps_the_case(wechat, services):
    resident = register(wechat, "o_res_keep")
    resident.say("3号楼2单元501厨房水管漏水")

    for text in ("不要取消", "先别撤 还没修好呢", "不取消了"):
        reply = resident.say(text)
        assert "不取消" in reply and "已撤回" not in reply, (text, reply)

    [case] = all_cases(services)
    assert case["state"] != "cancelled"


def test_a_report_that_says_someone_will_not_move_things_is_a_report_not_a_keep(wechat, services):
    resident = register(wechat, "o_res_not_keep")

    reply = resident.say("3号楼2单元楼道里的杂物他就是不撤 都堆了一个月了")

    assert "不取消" not in reply
    assert [case["category"] for case in all_cases(services)] == ["cleaning"]


def test_a_phone_number_given_at_the_summary_is_added_not_called_a_change(wechat, services):
    resident = chat(wechat, "o_rep_phone_at_summary")
    resident.say("我家厨房下水道堵了")
    assert "对吗" in resident.say("七号楼三单元六零二")

    added = resident.say("13912345678")
    changed = resident.say("不对，是7号楼3单元603")

    assert added.startswith("好的，已补上。\n") and "电话：13912345678" in added
    assert changed.startswith("好的，已改过来了。\n") and "7号楼3单元603" in changed
