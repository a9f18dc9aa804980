"""Reading workers' chat commands: the command word first, a case number somewhere, the rest is the note."""
from __future__ import annotations

import pytest

from handlers.worker_commands import parse


@pytest.mark.parametrize(
    "text, expected",
    [
        ("签收 R20261124-0001", ("accept", "R20261124-0001", "")),
        ("签收R20261124-0001", ("accept", "R20261124-0001", "")),
        ("抢单 e20261124 0003", ("accept", "E20261124-0003", "")),
        ("办结 R20261124-0001 已更换阀门", ("resolve", "R20261124-0001", "已更换阀门")),
        ("办结：R20261124-0001，已更换阀门，不再漏水。", ("resolve", "R20261124-0001", "已更换阀门，不再漏水")),
        ("退回 D20261124-0002 不属于我们网格", ("return", "D20261124-0002", "不属于我们网格")),
        ("转派 R20261124-0001 赵师傅", ("transfer", "R20261124-0001", "赵师傅")),
        ("上报 R20261124-0001 需要社区协调", ("escalate", "R20261124-0001", "需要社区协调")),
        ("  进展 R20261124-0001 已约好明早上门", ("note", "R20261124-0001", "已约好明早上门")),
    ],
)
def test_a_command_names_its_action_case_and_note(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["签收", "我想签收一下", "R20261124-0001 怎么还没人来", "我上周报的修怎么还没人来", "办结了吗", ""],
)
def test_anything_else_is_not_a_command(text):
    assert parse(text) is None
