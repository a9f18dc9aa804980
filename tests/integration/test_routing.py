"""Routing: who a case goes to, by kind, and which pushes that writes to the outbox."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.access import staff_actor
from handlers import case_lifecycle as lifecycle
from handlers.case_opening import NewCase, open_and_route
from tests.support.inspect import outbox


def open_case_in_grid(services, kind: str, grid_code: str, *, category=None, settings=None):
    with services.uow() as uow:
        grid = next(g for c in uow.directory.communities() for g in c.grids if g.code == grid_code)
        resident = uow.residents.get_or_create("o_resident_route", now=services.clock.now())
        case, assignment = open_and_route(
            NewCase(kind=kind, category=category, description="测试", community_id=grid.community_id, grid_id=grid.id),
            resident, uow, settings or services.settings.domain, at=services.clock.now(),
        )
        uow.commit()
        return case.number, assignment


def test_a_dispute_goes_to_the_grid_worker_with_a_mediator_and_both_are_told(services):
    number, assignment = open_case_in_grid(services, "dispute", "xsj-1")

    assert number.startswith("D20261124-")
    assert assignment.assignee.openid == "o_xsj_gw1"
    assert [h.openid for h in assignment.helpers] == ["o_xsj_med1"]
    assert sorted(p["openid"] for p in outbox(services)) == ["o_xsj_gw1", "o_xsj_med1"]


def test_an_errand_is_offered_to_every_volunteer_of_the_grid_to_grab(services):
    number, assignment = open_case_in_grid(services, "errand", "xsj-1")

    assert number.startswith("E20261124-") and assignment.assignee is None
    assert sorted(v.openid for v in assignment.pool) == ["o_xsj_vol1", "o_xsj_vol3"]
    pushes = outbox(services)
    assert sorted(p["openid"] for p in pushes) == ["o_xsj_vol1", "o_xsj_vol3"]
    assert {p["payload"]["template"] for p in pushes} == {"errand_offered"}
    with services.uow() as uow:
        case = uow.cases.by_number(number)
        volunteer = staff_actor(uow.directory.staff_by_openid("o_xsj_vol1"))
        other = staff_actor(uow.directory.staff_by_openid("o_xsj_vol2"))  # volunteers for grids 2 and 3
        assert lifecycle.can_apply(case, "accept", volunteer)
        assert not lifecycle.can_apply(case, "accept", other)


def test_in_assign_mode_an_errand_goes_to_the_least_loaded_volunteer(services):
    settings = replace(services.settings.domain, errand_mode="assign")
    _, first = open_case_in_grid(services, "errand", "xsj-1", settings=settings)
    _, second = open_case_in_grid(services, "errand", "xsj-1", settings=settings)

    assert {first.assignee.openid, second.assignee.openid} == {"o_xsj_vol1", "o_xsj_vol3"}


@pytest.mark.parametrize(
    "category, grid, expected",
    [("engineering", "xsj-3", "o_xsj_eng2"), ("order", "xsj-2", "o_xsj_ord1"), ("care", "myq-2", "o_myq_care1"),
     ("greening", "xsj-1", "o_xsj_grn1"), ("cleaning", "myq-3", "o_myq_cln1")],
)
def test_a_repair_goes_to_the_team_member_responsible_for_its_grid(services, category, grid, expected):
    _, assignment = open_case_in_grid(services, "repair", grid, category=category)

    assert assignment.assignee.openid == expected
    assert assignment.team.kind == category
