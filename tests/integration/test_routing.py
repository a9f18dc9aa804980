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


def open_errand(services, grid_code: str, description: str):
    with services.uow() as uow:
        grid = next(g for c in uow.directory.communities() for g in c.grids if g.code == grid_code)
        resident = uow.residents.get_or_create("o_resident_route", now=services.clock.now())
        _, assignment = open_and_route(
            NewCase(kind="errand", category=None, description=description, community_id=grid.community_id,
                    grid_id=grid.id), resident, uow, services.settings.domain, at=services.clock.now())
        uow.commit()
        return assignment


@pytest.mark.parametrize(
    "grid, description, expected",
    [
        ("xsj-1", "帮俺去药店买盒降压药", ["o_xsj_vol1"]),  # 买药: only 杨帆 of the grid has it
        ("xsj-2", "下周三陪我去医院复查", ["o_xsj_vol2"]),  # 陪诊
        ("xsj-1", "帮我交一下这个月的电费", ["o_xsj_vol1", "o_xsj_vol3"]),  # nobody in xsj-1 does 代缴: the grid's volunteers
        ("xsj-1", "帮我把信送到服务中心", ["o_xsj_vol1", "o_xsj_vol3"]),  # plain 跑腿
    ],
)
def test_an_errand_goes_to_nearby_volunteers_with_the_skill_it_needs(services, grid, description, expected):
    assignment = open_errand(services, grid, description)

    assert sorted(v.openid for v in assignment.pool) == expected


def test_a_volunteer_with_enough_open_errands_is_not_offered_more(services):
    settings = replace(services.settings.domain, errand_mode="assign", volunteer_max_open=1)
    first = open_case_in_grid(services, "errand", "xsj-1", settings=settings)[1].assignee
    second = open_case_in_grid(services, "errand", "xsj-1", settings=settings)[1].assignee
    third = open_case_in_grid(services, "errand", "xsj-1", settings=settings)[1].assignee

    assert {first.openid, second.openid} == {"o_xsj_vol1", "o_xsj_vol3"}
    assert third.openid == "o_xsj_vol2"  # both of the grid are busy: a volunteer of the next grid


def test_round_robin_takes_turns_within_the_team(services):
    settings = replace(services.settings.domain, assignment_policy="round_robin")
    given = [open_case_in_grid(services, "repair", "xsj-1", category="engineering", settings=settings)[1].assignee.openid
             for _ in range(4)]

    assert given == ["o_xsj_eng1", "o_xsj_eng2", "o_xsj_eng1", "o_xsj_eng2"]
