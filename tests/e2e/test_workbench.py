"""The H5 workbench: a worker signs in by a signed link or WeChat OAuth and works a case from the phone."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from handlers import case_actions
from tests.integration.test_case_actions import act, staff
from tests.integration.test_routing import open_case_in_grid
from tests.support.conversation import register
from tests.support.inspect import all_cases, outbox
from tests.support.wechat_actions import report
from tests.support.workbench import WorkbenchUser, text

REPAIR = "3号楼2单元501厨房水管漏水"


def test_the_engineer_accepts_and_resolves_a_repair_on_the_workbench(app, settings, wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    engineer = WorkbenchUser(app, settings, "o_xsj_eng1")

    home = text(engineer.page("/w/"))
    assert "R20261124-0001" in home and "新派给我（1）" in home

    accepted = engineer.act("R20261124-0001", "accept")
    assert accepted.status_code == 200 and "已签收" in text(accepted)
    resolved = engineer.act("R20261124-0001", "resolve", text="已更换阀门，不再漏水")
    assert "已办结" in text(resolved) and "已更换阀门，不再漏水" in text(resolved)

    [case] = all_cases(services)
    assert case["state"] == "resolved"
    assert [e["action"] for e in case["events"]][-2:] == ["accept", "resolve"]
    assert case["events"][-1]["by"] == "王建国"


def test_a_worker_cannot_open_or_act_on_a_case_of_another_grid(app, settings, wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)  # grid xsj-1
    other_grid = WorkbenchUser(app, settings, "o_xsj_gw2")  # grid worker of xsj-2
    other_community = WorkbenchUser(app, settings, "o_myq_eng1")

    for worker in (other_grid, other_community):
        page = worker.case("R20261124-0001")
        assert page.status_code == 403 and "没有查看这个工单的权限" in text(page)
        assert worker.act("R20261124-0001", "accept").status_code == 403
    assert all_cases(services)[0]["state"] == "dispatched"


def test_without_a_valid_link_or_session_the_workbench_says_how_to_get_in(client, settings):
    response = client.get("/w/")
    forged = client.get("/w/login?t=forged&next=/w/")

    assert response.status_code == 403 and "请从微信消息重新打开" in text(response)
    assert forged.status_code == 403


def test_a_form_posted_without_its_csrf_token_is_refused_in_chinese(app, settings, wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    engineer = WorkbenchUser(app, settings, "o_xsj_eng1")

    response = engineer.client.post("/w/cases/R20261124-0001/accept", data={"text": ""})
    as_json = engineer.client.post("/w/cases/R20261124-0001/accept", json={}, headers={"Accept": "application/json"})

    assert response.status_code == 400 and "页面已过期" in text(response)
    assert as_json.status_code == 400 and as_json.get_json() == {"error": "页面已过期，请刷新后再试。"}
    assert all_cases(services)[0]["state"] == "dispatched"


def test_an_illegal_action_is_refused_with_the_reason(app, settings, wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    engineer = WorkbenchUser(app, settings, "o_xsj_eng1")

    refused = engineer.act("R20261124-0001", "resolve", text="已修好")  # not accepted yet

    assert refused.status_code == 409 and "不能办结" in text(refused)
    assert all_cases(services)[0]["state"] == "dispatched"


def test_return_transfer_and_escalate_each_leave_an_event_and_tell_the_right_people(app, settings, wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    engineer = WorkbenchUser(app, settings, "o_xsj_eng1")
    grid_worker = WorkbenchUser(app, settings, "o_xsj_gw1")

    engineer.act("R20261124-0001", "return", text="是燃气问题，不归工程管")
    returned = outbox(services)
    assert all_cases(services)[0]["state"] == "returned"
    assert {p["openid"] for p in returned if p["payload"].get("template") == "case_update"} == {
        "o_xsj_gw1", "o_xsj_staff_chen"}
    assert "待派单（1）" in text(grid_worker.page("/w/"))

    with services.uow() as uow:
        eng2 = uow.directory.staff_by_openid("o_xsj_eng2").id
    grid_worker.act("R20261124-0001", "dispatch", to=str(eng2), text="赵师傅懂燃气")
    [case] = all_cases(services)
    assert (case["state"], case["assignee"]["openid"]) == ("dispatched", "o_xsj_eng2")
    assert outbox(services)[-2]["openid"] == "o_xsj_eng2"  # then the resident hears who has it now

    WorkbenchUser(app, settings, "o_xsj_eng2").act("R20261124-0001", "escalate", text="需要燃气公司配合")
    [case] = all_cases(services)
    assert case["state"] == "escalated"
    assert [e["action"] for e in case["events"]][-3:] == ["return", "dispatch", "escalate"]
    supervised = {p["openid"] for p in outbox(services) if p["payload"].get("template") == "case_supervised"}
    assert supervised == {"o_xsj_staff_chen", "o_xsj_gl1", "o_xsj_eng2"}


def test_wechat_oauth_signs_a_worker_in_without_a_link(client, settings, wechat_api):
    start = client.get("/w/oauth?next=/w/")
    target = urlparse(start.headers["Location"])
    query = parse_qs(target.query)
    assert (target.netloc, target.path) == ("open.weixin.qq.com", "/connect/oauth2/authorize")
    assert query["scope"] == ["snsapi_base"] and query["appid"] == [settings.wechat.appid]
    assert query["redirect_uri"][0].endswith("/w/oauth/callback")

    code = wechat_api.oauth_code_for("o_xsj_eng1")
    back = client.get(f"/w/oauth/callback?code={code}&state={query['state'][0]}")
    assert back.status_code == 302 and back.headers["Location"].endswith("/w/")
    assert "王建国" in text(client.get("/w/"))
    assert wechat_api.calls("/sns/oauth2/access_token")

    reused = client.get(f"/w/oauth/callback?code={code}&state={query['state'][0]}")
    assert reused.status_code == 403  # WeChat codes are single use


def test_inside_wechat_an_unsigned_visit_goes_through_oauth(client):
    response = client.get("/w/", headers={"User-Agent": "Mozilla/5.0 MicroMessenger/8.0.50"})

    assert response.status_code == 302 and response.headers["Location"].startswith("/w/oauth?next=")


def test_volunteers_see_open_errands_to_grab_and_their_points(app, settings, services):
    open_case_in_grid(services, "errand", "xsj-1")
    volunteer = WorkbenchUser(app, settings, "o_xsj_vol1")
    other = WorkbenchUser(app, settings, "o_xsj_vol2")  # grids xsj-2 and xsj-3

    assert "可抢的跑腿（1）" in text(volunteer.page("/w/"))
    assert "可抢的跑腿（0）" in text(other.page("/w/"))
    assert "累计 <span data-field=\"total\">0</span> 分" in text(volunteer.page("/w/points"))


def test_a_returned_case_found_out_of_scope_is_rejected_and_the_resident_told_why(app, settings, wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    WorkbenchUser(app, settings, "o_xsj_eng1").act("R20261124-0001", "return", text="是自家装修造成的")

    WorkbenchUser(app, settings, "o_xsj_gw1").act("R20261124-0001", "reject", text="属于住户自行装修，请联系装修公司")

    [case] = all_cases(services)
    assert case["state"] == "rejected" and case["events"][-1]["step"] == "核实立案"
    told = [p for p in outbox(services) if p["openid"] == "o_resident_wang"][-1]
    assert "不予立案：属于住户自行装修" in told["payload"]["text"]


def test_programs_get_json_and_a_4xx_with_the_reason(app, settings, wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    engineer = WorkbenchUser(app, settings, "o_xsj_eng1")
    token = engineer.csrf_token()
    headers = {"Accept": "application/json", "X-CSRFToken": token}

    refused = engineer.client.post("/w/cases/R20261124-0001/resolve", data={"text": "已修好"}, headers=headers)
    accepted = engineer.client.post("/w/cases/R20261124-0001/accept", data={}, headers=headers)
    missing = engineer.client.get("/w/cases/R20261124-0999", headers=headers)

    assert refused.status_code == 409 and "不能办结" in refused.get_json()["error"]
    assert accepted.status_code == 200 and accepted.get_json()["case"]["state"] == "in_progress"
    assert missing.status_code == 404 and missing.get_json() == {"error": "没有这个工单。"}


def test_a_case_past_its_deadline_shows_as_overdue(app, settings, wechat, services, clock):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    engineer = WorkbenchUser(app, settings, "o_xsj_eng1")
    assert "已超时（0）" in text(engineer.page("/w/"))

    clock.advance(hours=3)  # the 2 working hours to accept have passed

    home = text(engineer.page("/w/"))
    assert "已超时（1）" in home and "超时</span>" in home


def test_the_handler_sees_whom_to_call_and_when_to_meet_and_the_resident_page_shows_no_phone(
        app, settings, wechat, services):
    resident = register(wechat, "o_dis_call_me", "2号楼1单元301", phone="13800002828")
    resident.say("楼上602天天半夜蹦跶，说了也不听")
    resident.say("要")
    resident.say("明天下午两点到四点")  # said on Tuesday 24 November
    resident.say("对")
    [case] = all_cases(services)
    grid_worker = WorkbenchUser(app, settings, "o_xsj_gw1")

    page = text(grid_worker.case(case["case_no"]))
    as_json = grid_worker.client.get(f"/w/cases/{case['case_no']}", headers={"Accept": "application/json"})

    assert 'href="tel:13800002828"' in page
    assert "楼上602" in page and "明天14:00-16:00" in page
    assert as_json.get_json()["facts"] == {
        "联系电话": "13800002828", "对方": "楼上602", "当面调解": "要", "方便时间": "明天14:00-16:00"}
    own_page = WorkbenchUser(app, settings, "o_dis_call_me").case(case["case_no"])
    assert own_page.status_code == 200 and "13800002828" not in text(own_page)  # staff only


def test_an_engineer_who_accepts_by_chat_is_told_whom_to_call(wechat, services):
    resident = register(wechat, "o_rep_call_me", "3号楼2单元501", phone="13800002929")
    assert "对吗" in resident.say("厨房水管漏水")  # at the registered address
    resident.say("对")

    accepted = wechat.as_user("o_xsj_eng1").text("签收 R20261124-0001")

    assert "已签收" in accepted.reply and "联系电话：13800002929" in accepted.reply


def test_community_staff_see_the_months_figures_and_each_grids_open_cases(app, settings, wechat, services, clock):
    done, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")
    open_case_in_grid(services, "repair", "xsj-2", category="cleaning")
    act(services, done, lambda c, uow, at: case_actions.accept(c, staff(uow, "o_xsj_eng1"), uow, at=at))
    act(services, done, lambda c, uow, at: case_actions.resolve(c, staff(uow, "o_xsj_eng1"), "已修好", uow, at=at))
    act(services, done, lambda c, uow, at: case_actions.rate(c, c.reporter, 5, "", uow, services.settings.domain, at=at))
    open_case_in_grid(services, "repair", "myq-1", category="engineering")  # another community: not counted
    clock.advance(days=3)  # the cleaning case (1 working day) is now overdue
    community_staff = WorkbenchUser(app, settings, "o_xsj_staff_chen")

    figures = community_staff.client.get("/w/staff/overview", headers={"Accept": "application/json"}).get_json()
    page = text(community_staff.page("/w/staff/overview"))

    assert figures["month"] == "2026-11"
    [community] = figures["communities"]
    assert (community["name"], community["reported"], community["resolved"], community["rated"]) == ("新世纪社区", 2, 1, 1)
    assert community["satisfaction"] == "100%"
    grids = {g["code"]: (g["open"], g["overdue"], g["awaiting_rating"]) for g in community["grids"]}
    assert grids["xsj-1"] == (0, 0, 0) and grids["xsj-2"] == (1, 1, 0)
    assert "考核总览 · 2026年11月" in page and "满意率" in page and "新世纪第二网格" in page


def test_the_overview_refuses_a_bad_month_and_people_who_do_not_answer_for_the_figures(app, settings, services):
    community_staff = WorkbenchUser(app, settings, "o_xsj_staff_chen")
    engineer = WorkbenchUser(app, settings, "o_xsj_eng1")

    bad = community_staff.page("/w/staff/overview?month=2026-13")
    future = community_staff.client.get("/w/staff/overview?month=2027-01", headers={"Accept": "application/json"})
    earlier = community_staff.client.get("/w/staff/overview?month=2026-10", headers={"Accept": "application/json"})

    assert bad.status_code == 400 and "没有这个月份" in text(bad)
    assert future.status_code == 400 and future.get_json() == {"error": "这个月还没到"}
    assert earlier.status_code == 200 and earlier.get_json()["communities"][0]["reported"] == 0
    assert engineer.page("/w/staff/overview").status_code == 403
