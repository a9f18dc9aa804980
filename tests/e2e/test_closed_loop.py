"""The whole loop, from the resident's message to the rating, for a repair, a dispute and an errand.

Residents talk over /wechat throughout (report, answer questions, rate); the repair is worked by the
engineer's chat commands, the dispute and the errand on the H5 workbench.
"""
from __future__ import annotations

import re

from bot.outbox import deliver_due
from tests.support.conversation import register
from tests.support.inspect import all_cases, outbox
from tests.support.wechat_actions import report
from tests.support.workbench import WorkbenchUser, text

REPAIR = "3号楼2单元501厨房水管漏水"


def pushes_to(services, openid: str) -> list[dict]:
    return [p for p in outbox(services) if p["openid"] == openid]


def case_number_in(reply: str, kind_letter: str) -> str:
    match = re.search(rf"{kind_letter}\d{{8}}-\d{{4}}", reply)
    assert match, reply
    return match.group()


def test_a_repair_from_report_to_rating_with_the_engineer_working_by_chat(wechat, services, wechat_api, clock):
    resident = wechat.as_user("o_resident_wang")
    engineer = wechat.as_user("o_xsj_eng1")
    report(resident, REPAIR)

    clock.advance(minutes=20)
    accepted = engineer.text("签收 R20261124-0001")
    assert "已签收" in accepted.reply and "办结 R20261124-0001" in accepted.reply
    clock.advance(hours=2)
    resolved = engineer.text("办结 R20261124-0001 已更换阀门，不再漏水")
    assert "已办结" in resolved.reply
    thanks = resident.text("师傅修得挺好，五星")
    assert "5星" in thanks.reply

    [case] = all_cases(services)
    assert case["state"] == "closed" and case["rating"] == 5
    assert [e["step"] for e in case["events"]] == ["信息上报", "核实立案", "分流交办", "跟踪处理", "事件反馈", "考核评价"]
    told = [p["payload"]["text"] for p in pushes_to(services, "o_resident_wang")]
    assert len(told) == 2  # accepted, resolved (the dispatch was in the reply to the report)
    assert "已签收您的工单 R20261124-0001" in told[0]
    assert "已办结：已更换阀门，不再漏水" in told[1] and "1到5星" in told[1]
    assert all(p["kind"] == "text" and p["payload"]["window"] == "open" for p in pushes_to(services, "o_resident_wang"))

    assert deliver_due(services).sent == 3
    assert [c.body["touser"] for c in wechat_api.delivered("message/custom/send")] == ["o_resident_wang"] * 2
    assert [c.body["touser"] for c in wechat_api.delivered("message/template/send")] == ["o_xsj_eng1"]


def test_worker_commands_refuse_what_the_worker_may_not_do_and_leave_residents_alone(wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)

    stranger = wechat.as_user("o_xsj_eng2").text("签收 R20261124-0001")  # grid xsj-3's engineer
    unknown = wechat.as_user("o_xsj_eng1").text("签收 R20261124-0099")
    no_result = wechat.as_user("o_xsj_eng1").text("办结 R20261124-0001")
    resident = wechat.as_user("o_resident_li").text("签收 R20261124-0001")

    assert "无权" in stranger.reply
    assert "没有找到工单 R20261124-0099" in unknown.reply
    assert "请写上办理结果" in no_result.reply
    assert "已签收" not in (resident.reply or "")  # a resident's words go to the conversation as usual
    assert all_cases(services)[0]["state"] == "dispatched"


def test_a_dispute_is_handled_by_the_grid_worker_with_the_mediator_and_rated(wechat, app, settings, services):
    resident = register(wechat, "o_resident_zhang", "2号楼1单元301", phone="13800002222")
    assert "当面调解" in resident.say("楼上天天半夜蹦跶，说了也不听")
    summary = resident.say("不用，你们先去跟他说说")
    assert "对吗" in summary
    number = case_number_in(resident.say("是的"), "D")
    assert {p["openid"] for p in outbox(services)} == {"o_xsj_gw1", "o_xsj_med1"}
    worker = WorkbenchUser(app, settings, "o_xsj_gw1")
    mediator = WorkbenchUser(app, settings, "o_xsj_med1")

    assert "协助调解（1）" in text(mediator.page("/w/"))
    assert "楼上天天半夜蹦跶" in text(mediator.case(number))  # the mediator of the grid may follow it
    worker.act(number, "accept", text="今晚上门了解情况")
    worker.act(number, "note", text="已和楼上住户沟通，答应晚上十点后不再蹦跳")
    worker.act(number, "resolve", text="双方达成谅解，签了邻里公约")
    assert "4星" in resident.say("调解得不错，给四星")

    [case] = all_cases(services)
    assert (case["state"], case["rating"]) == ("closed", 4)
    assert [e["action"] for e in case["events"]] == ["open", "register", "dispatch", "accept", "note", "resolve", "rate"]
    told = [p["payload"]["text"] for p in pushes_to(services, "o_resident_zhang")]
    assert "网格员李娜已签收" in told[0] and "双方达成谅解" in told[1]


def order_errand(wechat, openid: str, what: str) -> tuple[object, str]:
    """A resident of 3号楼2单元501 orders an errand by chat; returns the chat and the case number."""
    resident = register(wechat, openid, phone="13800003333")
    reply = resident.say(what)
    for answer in ("越快越好", "3"):  # by when; how to pay: 不用花钱
        if "对吗" in reply or re.search(r"E\d{8}", reply):
            break
        reply = resident.say(answer)
    if "对吗" in reply:
        reply = resident.say("是")
    return resident, case_number_in(reply, "E")


def test_an_errand_is_grabbed_done_and_rated_and_the_volunteer_earns_points(wechat, app, settings, services):
    resident, number = order_errand(wechat, "o_resident_liu", "帮俺把这封信送到社区服务中心")
    first, second = WorkbenchUser(app, settings, "o_xsj_vol3"), WorkbenchUser(app, settings, "o_xsj_vol1")

    grabbed = first.act(number, "accept")
    too_late = second.act(number, "accept")
    assert "抢单成功" in text(grabbed)
    assert too_late.status_code in (403, 409)
    taken = [p for p in pushes_to(services, "o_xsj_vol1") if p["payload"].get("template") == "case_update"]
    assert taken and "韩雪已接单" in taken[0]["payload"]["fields"]["detail"]

    first.act(number, "resolve", text="信已送到社区服务中心")
    assert "5星" in resident.say("小韩真贴心，五星")

    [case] = all_cases(services)
    assert (case["state"], case["assignee"]["openid"], case["rating"]) == ("closed", "o_xsj_vol3", 5)
    points = text(first.page("/w/points"))
    assert 'data-field="total">15<' in points and "完成跑腿" in points and "居民好评" in points
    staff_page = text(WorkbenchUser(app, settings, "o_xsj_staff_chen").page("/w/staff/points"))
    assert 'data-volunteer="o_xsj_vol3"' in staff_page


def test_a_reopened_errand_takes_its_completion_points_back_in_a_new_ledger_entry(wechat, app, settings, services):
    resident, number = order_errand(wechat, "o_resident_liu", "帮我取个快递")
    volunteer = WorkbenchUser(app, settings, "o_xsj_vol1")
    volunteer.act(number, "accept")
    volunteer.act(number, "resolve", text="快递已放到家门口")

    assert "返工" in resident.say("一星，拿错了")

    with services.uow() as uow:
        staff = uow.directory.staff_by_openid("o_xsj_vol1")
        entries = [(e.points, e.reason) for e in reversed(uow.points.entries(staff.id))]
        assert entries == [(10, "完成跑腿"), (-10, "返工扣回")]
        assert uow.points.total(staff.id) == 0
