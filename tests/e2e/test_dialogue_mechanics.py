"""How every conversation behaves: registration, switching topic and coming back, expiry, restarts,
the custom menu, and the answers for what the account cannot use."""
from __future__ import annotations

import pytest

from bot.bootstrap import bootstrap
from bot.wechat_menu import MenuError, menu_payload, push_menu
from tests.support.conversation import Chat, chat, register
from tests.support.inspect import all_cases, resident_row
from tests.support.wechat_actions import WeChatActions


def test_after_following_the_resident_is_asked_where_they_live_and_it_is_kept(wechat, services):
    resident = chat(wechat, "o_mech_new")

    welcome = resident.subscribe()
    assert "欢迎关注" in welcome and "住哪儿" in welcome
    assert "回复数字" in resident.say("6号楼2单元302")
    assert "手机号" in resident.say("1")
    summary = resident.say("13812345678")
    assert "新世纪社区6号楼2单元302" in summary and "13812345678" in summary
    done = resident.say("是")

    assert "新世纪第二网格" in done and "马超" in done
    row = resident_row(services, "o_mech_new")
    assert (row["community"], row["address"], row["phone"]) == ("新世纪社区", ("6", "2", "302"), "13812345678")


def test_after_following_a_resident_may_skip_the_address_or_just_say_what_they_need(wechat, services):
    skipper = chat(wechat, "o_mech_skip")
    skipper.subscribe()
    assert "以后需要时再说" in skipper.say("跳过")

    newcomer = chat(wechat, "o_mech_busy")
    newcomer.subscribe()
    reply = newcomer.say("帮俺去药店买盒降压药")
    assert "送到哪儿" in reply  # the errand, not the welcome question
    assert resident_row(services, "o_mech_busy")["form"] == "errand"


def test_moving_house_changes_the_address_and_grid(wechat, services):
    resident = register(wechat, "o_mech_move", "2号楼1单元101")

    reply = resident.say("我搬到5号楼2单元301了")

    assert "新世纪社区5号楼2单元301" in reply and "新世纪第二网格" in reply
    assert resident_row(services, "o_mech_move")["address"] == ("5", "2", "301")
    summary = resident.say("楼道灯不亮了")
    assert "新世纪社区5号楼2单元301" in summary


def test_a_resident_of_a_tower_named_by_a_letter_registers_with_it(wechat, services):
    resident = chat(wechat, "o_mech_tower")

    reply = resident.say("我住b座二单元十八楼一八零一")

    assert "明眼泉社区B座2单元1801" in reply
    assert resident_row(services, "o_mech_tower")["address"] == ("B", "2", "1801")


def test_an_address_alone_registers_but_an_address_answering_a_question_or_with_a_need_is_that_need(wechat, services):
    """The NLU has no intent for 我住…; an address alone looks like a repair to it."""
    newcomer = chat(wechat, "o_mech_only_address")
    assert "哪一个" in newcomer.say("俺家住在五号楼一单元三零二")
    assert resident_row(services, "o_mech_only_address")["form"] == "register"

    answering = chat(wechat, "o_mech_answers_where")
    assert "楼栋和房号" in answering.say("楼道里的灯坏了好几天了")
    assert "哪一个" in answering.say("我家住3号楼2单元501")
    assert resident_row(services, "o_mech_answers_where")["form"] == "repair"

    reporting = chat(wechat, "o_mech_address_and_need")
    reporting.say("我住3号楼2单元501 厨房水管漏水")
    assert resident_row(services, "o_mech_address_and_need")["form"] == "repair"

    here = chat(wechat, "o_mech_just_here")
    here.say("我 在")  # "I'm here", dictated with a space: no address in it
    assert resident_row(services, "o_mech_just_here")["form"] != "register"


def test_a_new_phone_number_is_kept(wechat, services):
    resident = register(wechat, "o_mech_phone", phone="13800000001")

    reply = resident.say("我手机号换了，新号是13900000002")

    assert "13900000002" in reply and resident_row(services, "o_mech_phone")["phone"] == "13900000002"
    assert resident_row(services, "o_mech_phone")["address"] == ("3", "2", "501")


def test_a_phone_number_dictated_digit_by_digit_is_kept(wechat, services):
    resident = register(wechat, "o_mech_phone_voice", phone="13800000001")

    reply = resident.say("俺手机号换了 新号是幺三九 一二三四 五六七八")

    assert "13912345678" in reply and resident_row(services, "o_mech_phone_voice")["phone"] == "13912345678"


def test_an_errand_in_the_middle_of_a_repair_is_done_and_the_repair_comes_back(wechat, services):
    resident = chat(wechat, "o_mech_switch")
    assert "楼栋和房号" in resident.say("楼道里的灯坏了好几天了")

    errand = resident.say("对了，帮俺去药店买盒降压药")
    assert "送到哪儿" in errand
    resident.say("送到7号楼1单元101")
    resident.say("1")
    resident.say("越快越好")
    resident.say("到了给现金")
    resident.say("跳过")
    back = resident.say("是")

    assert "E20261124-0001" in back and "接着说刚才的报修" in back and "楼栋和房号" in back
    summary = resident.say("7号楼1单元101")
    resident.say("是")
    kinds = sorted((c["kind"], c["location"]) for c in all_cases(services))
    assert kinds == [("errand", "7号楼1单元101"), ("repair", "7号楼1单元101")]
    assert "楼道里的灯坏了好几天了" in summary


def test_a_question_about_progress_mid_form_is_answered_and_the_form_goes_on(wechat, services):
    resident = register(wechat, "o_mech_aside")
    resident.say("3号楼2单元501厨房水管漏水")
    resident.say("帮我取个快递")

    reply = resident.say("我报的修咋样了")

    assert "第3步" in reply and "刚才的跑腿还没说完" in reply and "什么时候要" in reply
    assert resident_row(services, "o_mech_aside")["form"] == "errand"


def test_cancel_words_end_the_form_in_progress_but_not_a_yes_no_answer(wechat, services):
    resident = register(wechat, "o_mech_cancel")
    resident.say("楼上天天半夜蹦跶，说了也不听")  # asks whether to meet

    answer = resident.say("不用了")  # answers the question; does not cancel
    assert "手机号" in answer or "对吗" in answer
    cancelled = resident.say("算了，不弄了")

    assert "取消" in cancelled and resident_row(services, "o_mech_cancel")["form"] is None
    assert all_cases(services) == []


def test_an_unfinished_conversation_expires_with_a_polite_note(wechat, services, clock):
    resident = chat(wechat, "o_mech_expire")
    resident.say("楼道里的灯坏了好几天了")

    clock.advance(minutes=31)
    reply = resident.say("你好")

    assert "超过30分钟" in reply and "报修" in reply and "您好" in reply
    assert resident_row(services, "o_mech_expire")["form"] is None


def test_a_conversation_survives_a_restart_of_the_app(wechat, services, settings, interpreter, clock):
    from bot.app import create_app

    resident = chat(wechat, "o_mech_restart")
    resident.say("楼道里的灯坏了好几天了")
    resident.say("9号楼1单元101")

    restarted = bootstrap(settings, interpreter=interpreter, clock=clock)  # a new process, same database
    try:
        after = WeChatActions(create_app(services=restarted).test_client(), settings)
        again = Chat(after.as_user("o_mech_restart"))
        summary = again.say("1")
        assert "新世纪社区9号楼1单元101" in summary and "楼道里的灯坏了好几天了" in summary
        done = again.say("是")
    finally:
        restarted.close()

    [case] = all_cases(services)
    assert case["case_no"] in done and (case["grid"], case["location"]) == ("xsj-3", "9号楼1单元101")


@pytest.mark.parametrize(
    "key, expected",
    [("REPAIR", "维修的问题"), ("DISPUTE", "什么事"), ("ERRAND", "买什么"), ("MEETING", "哪个社区"),
     ("TOPIC", "哪个社区"), ("STATUS", "还没有报过事"), ("RATE", "没有待评价"), ("REGISTER", "住哪儿"),
     ("HELP", "可以帮您")],
)
def test_each_menu_button_starts_its_conversation(wechat, key, expected):
    assert expected in chat(wechat, f"o_mech_menu_{key.lower()}").click(key)


def test_a_menu_click_mid_form_puts_the_form_aside(wechat, services):
    resident = chat(wechat, "o_mech_menu_mid")
    resident.say("楼道里的灯坏了好几天了")

    assert "还没有报过事" in resident.click("STATUS") and "接着说刚才的报修" in resident.replies[-1]


def test_the_menu_in_config_is_pushed_through_wechats_api(settings, wechat_api):
    push_menu(settings)

    [call] = wechat_api.calls("menu/create")
    buttons = call.body["button"]
    assert [b["name"] for b in buttons] == ["我要办事", "居民议事", "我的"]
    keys = {e.get("key") for b in buttons for e in b["sub_button"]}
    assert {"REPAIR", "DISPUTE", "ERRAND", "MEETING", "STATUS", "RATE"} <= keys
    view = next(e for b in buttons for e in b["sub_button"] if e["type"] == "view")
    assert view["url"] == f"{settings.public_base_url}/h5/meetings"


def test_a_menu_key_nothing_handles_is_refused_before_it_reaches_wechat(settings, wechat_api):
    from dataclasses import replace

    menu = {"button": [{"name": "办事", "sub_button": [{"type": "click", "name": "修", "key": "NOPE"}]}]}
    broken = replace(settings, wechat=replace(settings.wechat, menu=menu))

    with pytest.raises(MenuError, match="NOPE"):
        menu_payload(broken)
    assert wechat_api.calls("menu/create") == []


def test_what_the_account_cannot_use_gets_a_polite_answer(wechat):
    resident = chat(wechat, "o_mech_other")

    assert "打字" in resident._reply(resident.simulator.send({"MsgType": "video", "MediaId": "m1", "ThumbMediaId": "t"}))
    gibberish = resident.say("asdfgh")  # unsure (ask to rephrase) or out of scope: either way a way on
    assert ("换个说法" in gibberish or "帮不上忙" in gibberish) and "帮助" in gibberish
    assert "帮不上忙" in resident.say("明天天气怎么样")


@pytest.mark.parametrize(
    "text, expected",
    [("报修", "维修的问题"),  # the NLU reads it as a progress question
     ("想找人调解一下", "什么事"),  # below the NLU's threshold
     ("我搬到5号楼2单元301了", "已登记"),  # the NLU calls it a repair
     ("手机号换了13912345678", "已登记")],  # out_of_scope to the NLU
)
def test_phrases_the_nlu_misreads_still_reach_their_conversation(wechat, text, expected):
    resident = chat(wechat, "o_mech_misread")
    reply = resident.say(text)
    if "回复数字" in reply:
        reply = resident.say("1")
    if "对吗" in reply:
        reply = resident.say("是")

    assert expected in reply


def test_a_repair_sent_instead_of_the_address_after_following_is_taken_as_a_repair(wechat, services):
    resident = chat(wechat, "o_mech_sub_repair")
    resident.subscribe()

    reply = resident.say("12号楼东单元电梯坏了")

    [case] = all_cases(services)
    assert case["case_no"] in reply and case["location"] == "12号楼东单元"
    assert resident_row(services, "o_mech_sub_repair")["address"] == ("12", "东", None)  # and now we know


@pytest.mark.parametrize("mode", ["compat", "aes"])
def test_a_several_turn_conversation_works_in_wechats_encrypted_modes(wechat, services, mode):
    resident = Chat(wechat.as_user("o_mech_aes", mode=mode))

    assert "哪一个" in resident.say("帮我取个快递，送到6号楼2单元302")
    assert "什么时候要" in resident.say("1")
    resident.say("明天上午")
    resident.say("不用花钱")
    resident.say("跳过")
    done = resident.say("是")

    [case] = all_cases(services)
    assert case["kind"] == "errand" and case["case_no"] in done
