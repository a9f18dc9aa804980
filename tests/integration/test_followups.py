"""A resolved case is never taken as satisfied by silence: one more request for a rating after a
day, then archived as "no feedback" after a week."""
from __future__ import annotations

from handlers import case_actions
from handlers.followups import rating_followups
from tests.integration.test_case_actions import act
from tests.integration.test_case_actions import resolved_repair as resolved_case
from tests.support.inspect import all_cases, outbox


def follow_up(services):
    with services.uow() as uow:
        report = rating_followups(uow, services.settings.domain, now=services.clock.now())
        uow.commit()
    return report


def rating_reminders(services) -> list[dict]:
    """Second requests for a rating to the reporter: a text inside 48 h, a template outside."""
    return [
        p for p in outbox(services)
        if p["openid"] == "o_resident_route"
        and ("还没收到您的评价" in (p["payload"].get("text") or "")
             or p["payload"].get("fields", {}).get("status") == "待评价")
    ]


def test_a_resolved_case_is_asked_about_once_more_after_a_day(services, clock):
    number = resolved_case(services)

    assert follow_up(services).asked_again == []  # too early
    clock.advance(hours=25)
    first = follow_up(services)
    clock.advance(hours=2)
    second = follow_up(services)

    assert first.asked_again == [number] and second.asked_again == []
    assert len(rating_reminders(services)) == 1


def test_after_a_week_without_a_rating_the_case_is_closed_as_no_feedback_not_as_satisfied(services, clock):
    number = resolved_case(services)
    clock.advance(days=8)

    report = follow_up(services)

    [case] = all_cases(services)
    assert report.closed_without_rating == [number]
    assert case["state"] == "closed" and case["rating"] is None
    assert "未评价" in case["events"][-1]["note"] and case["events"][-1]["by"] == "系统"


def test_a_rated_case_is_left_alone(services, clock):
    number = resolved_case(services)
    act(services, number, lambda c, uow, at: case_actions.rate(c, c.reporter, 4, "", uow, services.settings.domain, at=at))
    clock.advance(days=8)

    report = follow_up(services)

    assert report.asked_again == [] and report.closed_without_rating == []
    assert all_cases(services)[0]["rating"] == 4
