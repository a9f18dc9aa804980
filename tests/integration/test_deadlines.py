"""Deadlines in working time: a warning before breach, escalation on breach (once), a reopened-twice
case escalates. The scheduler calls `handlers.deadlines.sweep`; here a controllable clock does."""
from __future__ import annotations

from datetime import datetime

from bot.outbox import deliver_due
from handlers import case_actions
from handlers.case_lifecycle import staff_actor
from handlers.deadlines import sweep
from handlers.timezone import SHANGHAI
from tests.integration.test_routing import open_case_in_grid
from tests.support.inspect import all_cases, outbox


def run_sweep(services):
    with services.uow() as uow:
        report = sweep(uow, services.settings.domain, services.clock.now())
        uow.commit()
        return report


def templates_to(services, template: str) -> list[str]:
    return sorted(p["openid"] for p in outbox(services) if p["payload"].get("template") == template)


def test_the_assignee_is_warned_an_hour_before_the_accept_deadline_once(services, clock):
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")  # accept within 2h: 12:00

    clock.advance(minutes=30)
    assert run_sweep(services).warned == []
    clock.advance(minutes=35)  # 11:05, within the last working hour
    first = run_sweep(services)
    again = run_sweep(services)

    assert first.warned == [f"{number}:accept"] and again.warned == []
    assert deliver_due(services).failed == 0
    assert templates_to(services, "deadline_warning") == ["o_xsj_eng1"]
    [warning] = [p for p in outbox(services) if p["payload"].get("template") == "deadline_warning"]
    fields = warning["payload"]["fields"]
    assert (fields["deadline_kind"], fields["deadline"]) == ("签收时限", "2026-11-24 12:00")


def test_a_missed_accept_deadline_escalates_to_the_community_with_a_supervision_notice(services, clock):
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")

    clock.advance(hours=2, minutes=1)
    report = run_sweep(services)
    repeated = run_sweep(services)

    assert report.escalated == [f"{number}:accept"] and not repeated.changed
    [case] = all_cases(services)
    assert case["state"] == "escalated"
    assert case["events"][-1]["action"] == "escalate" and "超过签收时限未签收" in case["events"][-1]["note"]
    assert "社区" in case["events"][-1]["note"]
    # 督办: the community's contact and the grid's leader, and the handler is pressed too
    assert templates_to(services, "case_supervised") == ["o_xsj_eng1", "o_xsj_gl1", "o_xsj_staff_chen"]
    delivered = deliver_due(services)
    assert (delivered.sent, delivered.failed) == (len(outbox(services)), 0)  # every template is configured


def test_the_assignee_may_still_accept_and_resolve_an_escalated_case(services, clock):
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")
    clock.advance(hours=3)
    run_sweep(services)

    with services.uow() as uow:
        case = uow.cases.by_number(number)
        engineer = staff_actor(uow.directory.staff_by_openid("o_xsj_eng1"))
        case_actions.accept(case, engineer, uow, at=clock.now())
        case_actions.resolve(case, engineer, "已处理", uow, at=clock.now())
        uow.commit()

    assert all_cases(services)[0]["state"] == "resolved"


def test_a_case_still_open_at_its_resolve_deadline_goes_up_again_to_the_street(services, clock):
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")  # resolve: Thu 17:30
    clock.advance(hours=3)
    run_sweep(services)  # accept missed → 社区

    clock.at = datetime(2026, 11, 26, 17, 31, tzinfo=SHANGHAI)
    report = run_sweep(services)

    assert report.escalated == [f"{number}:resolve"]
    [case] = all_cases(services)
    assert "街道" in case["events"][-1]["note"]
    assert "o_street_zhao" in templates_to(services, "case_supervised")


def test_accepting_in_time_stops_the_accept_clock(services, clock):
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")
    with services.uow() as uow:
        case = uow.cases.by_number(number)
        case_actions.accept(case, staff_actor(uow.directory.staff_by_openid("o_xsj_eng1")), uow, at=clock.now())
        uow.commit()

    clock.advance(hours=5)
    report = run_sweep(services)

    assert not report.changed and all_cases(services)[0]["state"] == "in_progress"


def test_nights_weekends_and_public_holidays_do_not_count(services, clock):
    # Wednesday 2026-09-30 16:30, the eve of the National Day holiday: of 2 working hours, 60 minutes
    # are left that evening and the rest comes after the holiday, not on 1 October.
    clock.at = datetime(2026, 9, 30, 16, 30, tzinfo=SHANGHAI)
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")
    [case] = all_cases(services)
    due = datetime.fromisoformat(case["accept_due_at"])

    clock.at = datetime(2026, 10, 5, 12, 0, tzinfo=SHANGHAI)
    assert run_sweep(services).escalated == []  # in the holiday: at most a warning
    clock.at = due
    assert run_sweep(services).escalated == [f"{number}:accept"]
    assert due.date() > datetime(2026, 10, 7).date()


def test_a_case_reopened_twice_escalates(services, clock):
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")

    def work_and_reject():
        with services.uow() as uow:
            case = uow.cases.by_number(number)
            engineer = staff_actor(uow.directory.staff_by_openid("o_xsj_eng1"))
            case_actions.accept(case, engineer, uow, at=clock.now())
            case_actions.resolve(case, engineer, "修好了", uow, at=clock.now())
            case_actions.rate(case, case.reporter, 1, "还是漏", uow, services.settings.domain, at=clock.now())
            uow.commit()

    work_and_reject()
    assert all_cases(services)[0]["state"] == "dispatched"  # first reopen: back to the engineer
    work_and_reject()

    [case] = all_cases(services)
    assert case["state"] == "escalated"
    assert [e["action"] for e in case["events"]][-3:] == ["reopen", "dispatch", "escalate"]
    assert "已返工2次" in case["events"][-1]["note"]
    assert "o_xsj_staff_chen" in templates_to(services, "case_supervised")
