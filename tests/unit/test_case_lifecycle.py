"""The closed loop as a table: every (state, action) pair is either allowed for the right people or refused."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from handlers import case_lifecycle as lifecycle
from handlers.case_lifecycle import SYSTEM, Actor, IllegalTransition, State
from storage.models import Case, Resident

AT = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
ACTIONS = sorted({action for _, action in lifecycle.TRANSITIONS})
STATES: list[State | None] = [None, *State]

REPORTER = Actor(role="resident", name="王阿姨", openid="o_reporter")
ASSIGNEE = Actor(role="butler", name="王建国", openid="o_xsj_eng1", staff_id=7)
GRID_WORKER = Actor(role="grid_worker", name="李娜", openid="o_xsj_gw1", staff_id=3, grid_ids=frozenset({1}))
STAFF = Actor(role="community_staff", name="陈秀英", openid="o_staff", staff_id=9)
STRANGER = Actor(role="resident", name="路人", openid="o_stranger")
EVERYONE = {"system": SYSTEM, "reporter": REPORTER, "assignee": ASSIGNEE, "grid": GRID_WORKER, "staff": STAFF}


def make_case(state: State | None) -> Case:
    return Case(
        number="R20261124-0001", kind="repair", category="engineering", state=state.value if state else None,
        community_id=1, grid_id=1, description="水管漏水", reporter=Resident(openid="o_reporter"),
        assignee_id=7, details={}, created_at=AT, updated_at=AT,
    )


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.value if s else "new")
@pytest.mark.parametrize("action", ACTIONS)
def test_every_state_and_action_pair_is_allowed_only_as_the_table_says(state, action):
    transition = lifecycle.TRANSITIONS.get((state, action))
    for capacity, actor in EVERYONE.items():
        case = make_case(state)
        allowed = transition is not None and capacity in transition.allowed
        assert lifecycle.can_apply(case, action, actor) is allowed
        if allowed:
            event = lifecycle.apply(case, action, actor, at=AT, note="测试")
            assert case.state == transition.target.value
            assert (event.from_state, event.to_state) == (state.value if state else None, transition.target.value)
            [row] = case.events
            assert (row.action, row.actor_name, row.note, row.at) == (action, actor.name, "测试", AT)
        else:
            with pytest.raises(IllegalTransition):
                lifecycle.apply(case, action, actor, at=AT)
            assert case.state == (state.value if state else None) and case.events == []


def test_an_illegal_transition_says_why_in_chinese():
    case = make_case(State.CLOSED)

    with pytest.raises(IllegalTransition, match="已评价归档.*不能签收"):
        lifecycle.apply(case, "accept", ASSIGNEE, at=AT)


def test_someone_unrelated_to_the_case_may_not_act_on_it():
    case = make_case(State.DISPATCHED)

    with pytest.raises(IllegalTransition, match="无权"):
        lifecycle.apply(case, "accept", STRANGER, at=AT)


def test_the_steps_of_a_normal_case_are_the_six_steps_in_order():
    case = make_case(None)
    walk = [("open", REPORTER), ("register", SYSTEM), ("dispatch", SYSTEM), ("accept", ASSIGNEE),
            ("resolve", ASSIGNEE), ("rate", REPORTER)]
    for action, actor in walk:
        lifecycle.apply(case, action, actor, at=AT)

    assert [lifecycle.step_of(e) for e in case.events] == list(lifecycle.STEPS)
    assert case.state == "closed"


def test_menus_offer_only_what_the_actor_may_do_now():
    case = make_case(State.DISPATCHED)

    assert set(lifecycle.available_actions(case, ASSIGNEE)) == {"accept", "return", "transfer", "escalate"}
    assert lifecycle.available_actions(case, STRANGER) == []
