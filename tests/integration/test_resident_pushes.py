"""What residents hear and how: text inside the 48 h window, templates outside it, merged duplicates
kept informed, and failures the staff can see. Failures are injected in the WeChat API stand-in."""
from __future__ import annotations

from bot.outbox import deliver_due
from handlers import case_actions
from handlers.case_lifecycle import staff_actor
from tests.support.inspect import all_cases, outbox
from tests.support.wechat_actions import report
from tests.support.workbench import WorkbenchUser, text

REPAIR = "3号楼2单元501厨房水管漏水"
TEMPLATE = "message/template/send"


def accept(services, number: str, openid: str = "o_xsj_eng1") -> None:
    with services.uow() as uow:
        case = uow.cases.by_number(number)
        case_actions.accept(case, staff_actor(uow.directory.staff_by_openid(openid)), uow, at=services.clock.now())
        uow.commit()


def resident_pushes(services, openid: str) -> list[dict]:
    return [p for p in outbox(services) if p["openid"] == openid]


def test_outside_the_48_hour_window_the_resident_gets_a_template_with_short_keywords(wechat, services, clock):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    clock.advance(hours=49)

    accept(services, "R20261124-0001")

    [push] = resident_pushes(services, "o_resident_wang")
    assert (push["kind"], push["payload"]["template"], push["payload"]["window"]) == ("template", "case_progress", "closed")
    fields = push["payload"]["fields"]
    assert fields["case_no"] == "R20261124-0001" and fields["status"] == "已签收"
    assert all(len(value) <= 20 and "\n" not in value for value in fields.values())
    assert push["payload"]["link_case"] == "R20261124-0001"


def test_inside_the_window_the_resident_gets_a_customer_service_text(wechat, services, clock):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    clock.advance(hours=40)

    accept(services, "R20261124-0001")

    [push] = resident_pushes(services, "o_resident_wang")
    assert (push["kind"], push["payload"]["window"]) == ("text", "open")
    assert "王建国已签收您的工单 R20261124-0001" in push["payload"]["text"]


def test_a_second_report_of_the_same_problem_is_linked_and_its_reporter_kept_informed(wechat, services):
    report(wechat.as_user("o_resident_wang"), "12号楼东单元电梯坏了，困在一楼")
    second = report(wechat.as_user("o_resident_li"), "12号楼东单元的电梯又坏了")

    first_case, duplicate = all_cases(services)
    assert duplicate["state"] == "rejected" and first_case["state"] == "dispatched"
    assert "与工单 R20261124-0001 重复" in duplicate["events"][-1]["note"]
    assert "R20261124-0001" in second.reply
    [merged] = resident_pushes(services, "o_resident_li")
    assert "邻居已经报过了（工单 R20261124-0001）" in merged["payload"]["text"]
    assert len([p for p in outbox(services) if p["openid"] == "o_xsj_eng2"]) == 1  # the engineer is told once

    accept(services, "R20261124-0001", "o_xsj_eng2")
    assert {p["openid"] for p in outbox(services)[-2:]} == {"o_resident_wang", "o_resident_li"}


def test_different_problems_or_different_homes_are_not_merged(wechat, services):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    report(wechat.as_user("o_resident_li"), "3号楼2单元302卫生间漏水")  # another home
    report(wechat.as_user("o_resident_zhou"), "3号楼2单元楼道灯不亮了")  # another problem

    assert [c["state"] for c in all_cases(services)] == ["dispatched"] * 3


def test_two_problems_of_one_home_in_a_tower_named_by_a_letter_are_two_cases(wechat, services):
    report(wechat.as_user("o_resident_wang"), "A座1单元302灯坏了")
    report(wechat.as_user("o_resident_wang_son"), "A座1单元302漏水了")  # alike only in the address

    assert [c["state"] for c in all_cases(services)] == ["dispatched"] * 2


def test_a_push_wechat_refuses_for_good_is_shown_to_staff_and_a_busy_one_retried(wechat, services, wechat_api, clock, app, settings):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    deliver_due(services)  # the engineer's assignment
    clock.advance(hours=49)
    accept(services, "R20261124-0001")  # → a template to the resident, who has since unfollowed
    wechat_api.fail_next(TEMPLATE, 43004, errmsg="require subscribe")
    assert deliver_due(services).failed == 1

    clock.advance(minutes=1)
    with services.uow() as uow:
        case = uow.cases.by_number("R20261124-0001")
        case_actions.resolve(case, staff_actor(uow.directory.staff_by_openid("o_xsj_eng1")), "已更换阀门", uow,
                             at=clock.now())
        uow.commit()
    wechat_api.fail_next(TEMPLATE, 45011, errmsg="api freq out of limit")
    assert deliver_due(services).retrying == 1
    clock.advance(minutes=10)
    assert deliver_due(services).sent == 1

    page = WorkbenchUser(app, settings, "o_xsj_staff_chen").page("/w/staff/pushes")
    body = text(page)
    assert page.status_code == 200 and 'data-field="failed">1<' in body
    assert "43004" in body and "R20261124-0001" in body
    assert WorkbenchUser(app, settings, "o_xsj_eng1").page("/w/staff/pushes").status_code == 403


def test_a_retried_template_carries_the_same_client_msg_id_so_wechat_shows_it_once(wechat, services, wechat_api, clock):
    report(wechat.as_user("o_resident_wang"), REPAIR)
    wechat_api.fail_next(TEMPLATE, -1)
    deliver_due(services)
    clock.advance(minutes=5)
    deliver_due(services)

    calls = wechat_api.calls(TEMPLATE)
    assert len(calls) == 2 and calls[0].body["client_msg_id"] == calls[1].body["client_msg_id"]
    assert len(wechat_api.delivered(TEMPLATE)) == 1


def test_residents_open_their_own_case_page_from_a_push_and_nobody_elses(wechat, services, app, settings):
    report(wechat.as_user("o_resident_wang"), "12号楼东单元电梯坏了，困在一楼")
    report(wechat.as_user("o_resident_li"), "12号楼东单元的电梯又坏了")  # merged: follows R…0001

    for openid in ("o_resident_wang", "o_resident_li"):
        page = WorkbenchUser(app, settings, openid).case("R20261124-0001")
        assert page.status_code == 200 and "电梯坏了" in text(page) and "确认签收" not in text(page)
    assert WorkbenchUser(app, settings, "o_resident_zhou").case("R20261124-0001").status_code == 403


def test_reporting_the_same_problem_twice_is_not_a_second_case(wechat, services):
    resident = wechat.as_user("o_resident_wang")
    report(resident, REPAIR)

    again = report(resident, "3号楼2单元501厨房的水管还在漏水")

    assert [c["state"] for c in all_cases(services)] == ["dispatched", "rejected"]
    assert "R20261124-0001" in again.reply
    [told] = resident_pushes(services, "o_resident_wang")
    assert "您之前已经报过了（工单 R20261124-0001）" in told["payload"]["text"]


def test_two_neighbours_reporting_one_problem_at_the_same_moment_make_one_case(app, settings, services):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from bot.wechat_simulator import WeChatSimulator
    from tests.support.wechat_actions import client_transport

    barrier = threading.Barrier(2)

    def neighbour_reports(openid: str):
        simulator = WeChatSimulator(client_transport(app.test_client()), token=settings.wechat.token, openid=openid)
        barrier.wait(timeout=30)
        return simulator.text("12号楼东单元电梯坏了，一直停在一楼")

    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(neighbour_reports, ["o_resident_a", "o_resident_b"]))

    assert all(r.status == 200 and "R20261124-0001" in r.reply for r in replies)
    assert sorted(c["state"] for c in all_cases(services)) == ["dispatched", "rejected"]
