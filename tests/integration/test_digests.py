"""Grid leaders get a morning digest of open and overdue cases; community staff a weekly summary."""
from __future__ import annotations

from handlers.digests import daily_digests, weekly_summaries
from tests.integration.test_case_actions import act, staff
from tests.integration.test_routing import open_case_in_grid
from tests.support.inspect import outbox
from handlers import case_actions


def run(services, job):
    with services.uow() as uow:
        report = job(uow, now=services.clock.now())
        uow.commit()
    return report


def digests_for(services, openid):
    return [p for p in outbox(services) if p["openid"] == openid and p["payload"].get("template") == "daily_digest"]


def test_a_grid_leader_hears_each_morning_how_many_cases_are_open_and_overdue(services, clock):
    open_case_in_grid(services, "repair", "xsj-1", category="engineering")
    late, _ = open_case_in_grid(services, "repair", "xsj-1", category="cleaning")
    clock.advance(days=3)  # cleaning must be resolved within 1 working day: now overdue
    clock.at = clock.at.replace(hour=0, minute=0)  # 08:00 Shanghai

    report = run(services, daily_digests)

    [digest] = digests_for(services, "o_xsj_gl1")
    fields = digest["payload"]["fields"]
    assert fields["open"] == "在办2件 待评价0件"
    assert fields["overdue"] == "超期2件"
    assert fields["oldest"].startswith("R2026")
    assert all(len(v) <= 20 for v in fields.values())
    assert digests_for(services, "o_xsj_gl2") == []  # nothing open in grid 2: no message
    assert report.queued == 1


def test_running_the_digest_twice_the_same_day_sends_it_once(services):
    open_case_in_grid(services, "repair", "xsj-1", category="engineering")

    run(services, daily_digests)
    second = run(services, daily_digests)

    assert second.queued == 0
    assert len(digests_for(services, "o_xsj_gl1")) == 1


def test_a_digest_still_unsent_at_noon_is_dropped_not_sent_late(services, clock):
    from bot.outbox import deliver_due

    open_case_in_grid(services, "repair", "xsj-1", category="engineering")
    run(services, daily_digests)
    clock.advance(hours=3)  # 13:00 Shanghai: the scheduler was down all morning

    report = deliver_due(services)

    assert report.dropped >= 1
    [digest] = digests_for(services, "o_xsj_gl1")
    assert digest["status"] == "dropped"


def test_community_staff_get_last_weeks_figures_on_monday(services, clock):
    number, _ = open_case_in_grid(services, "repair", "xsj-1", category="engineering")
    act(services, number, lambda c, uow, at: case_actions.accept(c, staff(uow, "o_xsj_eng1"), uow, at=at))
    act(services, number, lambda c, uow, at: case_actions.resolve(c, staff(uow, "o_xsj_eng1"), "已修好", uow, at=at))
    act(services, number, lambda c, uow, at: case_actions.rate(c, c.reporter, 5, "", uow, services.settings.domain, at=at))
    clock.advance(days=6)  # Monday 30 November

    run(services, weekly_summaries)

    [summary] = [p for p in outbox(services) if p["payload"].get("template") == "weekly_summary"
                 and p["openid"] == "o_xsj_staff_chen"]
    fields = summary["payload"]["fields"]
    assert fields["week"] == "11月23日-11月29日"
    assert fields["cases"] == "受理1件 办结1件"
    assert fields["rating"] == "满意率100% 返工0件"
