"""After dispatch: accepting (and grabbing), resolving, rating, reopening and cancelling a case."""
from __future__ import annotations

import pytest

from bot.access import staff_actor
from handlers import case_actions
from handlers.case_lifecycle import IllegalTransition
from handlers.case_opening import resident_actor
from tests.integration.test_routing import open_case_in_grid
from tests.support.inspect import all_cases, outbox


def act(services, number: str, fn):
    with services.uow() as uow:
        case = uow.cases.by_number(number)
        result = fn(case, uow, services.clock.now())
        uow.commit()
        return result


def staff(uow, openid):
    return staff_actor(uow.directory.staff_by_openid(openid))


def test_the_first_volunteer_to_grab_an_errand_gets_it_and_the_second_is_refused(services):
    number, _ = open_case_in_grid(services, "errand", "xsj-1")

    act(services, number, lambda c, uow, at: case_actions.accept(c, staff(uow, "o_xsj_vol3"), uow, at=at))
    with pytest.raises(IllegalTransition):
        act(services, number, lambda c, uow, at: case_actions.accept(c, staff(uow, "o_xsj_vol1"), uow, at=at))

    [case] = all_cases(services)
    assert case["state"] == "in_progress" and case["assignee"]["openid"] == "o_xsj_vol3"


def resolved_repair(services) -> str:
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")
    act(services, number, lambda c, uow, at: case_actions.accept(c, staff(uow, "o_xsj_eng1"), uow, at=at))
    act(services, number, lambda c, uow, at: case_actions.resolve(c, staff(uow, "o_xsj_eng1"), "已更换阀门", uow, at=at))
    return number


def test_a_good_rating_closes_the_case_with_the_rating_kept(services):
    number = resolved_repair(services)

    reopened = act(services, number, lambda c, uow, at: case_actions.rate(
        c, c.reporter, 5, "师傅修得挺好", uow, services.settings.domain, at=at))

    [case] = all_cases(services)
    assert reopened is False
    assert (case["state"], case["rating"], case["rating_comment"]) == ("closed", 5, "师傅修得挺好")
    assert [e["step"] for e in case["events"]][-1] == "考核评价"


def test_a_rating_of_two_or_less_reopens_the_case_and_sends_it_back_to_its_handler(services):
    number = resolved_repair(services)
    pushes_before = len(outbox(services))

    reopened = act(services, number, lambda c, uow, at: case_actions.rate(
        c, c.reporter, 2, "还是漏水", uow, services.settings.domain, at=at))

    [case] = all_cases(services)
    assert reopened is True
    assert case["state"] == "dispatched" and case["assignee"]["openid"] == "o_xsj_eng1"
    assert [e["action"] for e in case["events"]][-2:] == ["reopen", "dispatch"]
    assert "还是漏水" in case["events"][-2]["note"]
    # The handler gets the case again; the resident, who asked for the rework, is told in the reply to
    # their rating rather than by a second message.
    assert [p["openid"] for p in outbox(services)[pushes_before:]] == ["o_xsj_eng1"]


def test_resolving_needs_a_result(services):
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")
    act(services, number, lambda c, uow, at: case_actions.accept(c, staff(uow, "o_xsj_eng1"), uow, at=at))

    with pytest.raises(IllegalTransition, match="办理结果"):
        act(services, number, lambda c, uow, at: case_actions.resolve(c, staff(uow, "o_xsj_eng1"), "  ", uow, at=at))


def test_the_reporter_can_cancel_an_open_case(services):
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")

    act(services, number, lambda c, uow, at: case_actions.cancel(c, resident_actor(c.reporter), "已经好了", uow, at=at))

    assert all_cases(services)[0]["state"] == "cancelled"


def test_a_disputes_mediator_stays_on_it_when_it_is_transferred(services):
    number, _ = open_case_in_grid(services, "dispute", "xsj-1")
    pushes_before = len(outbox(services))

    def transfer(case, uow, at):
        to = uow.directory.staff_by_openid("o_xsj_gl1")  # the grid leader takes it over
        case_actions.hand_over(case, staff(uow, "o_xsj_staff_chen"), to, "需要网格长出面", uow,
                               services.settings.domain, at=at)

    act(services, number, transfer)

    [case] = all_cases(services)
    assert (case["state"], case["assignee"]["openid"]) == ("dispatched", "o_xsj_gl1")
    assert case["events"][-1]["action"] == "transfer" and "需要网格长出面" in case["events"][-1]["note"]
    pushes = outbox(services)[pushes_before:]
    assert {p["openid"] for p in pushes} >= {"o_xsj_gl1", "o_xsj_med1"}
    [told] = [p for p in pushes if p["openid"] == "o_xsj_gw1"]  # the grid worker who had it
    assert told["payload"]["fields"]["status"] == "已转派"
