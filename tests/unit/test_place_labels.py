"""Buildings and units are shown the way residents name them."""
from __future__ import annotations

import pytest

from storage.models.directory import building_label, unit_label


@pytest.mark.parametrize("number, label", [("3", "3号楼"), ("12", "12号楼"), ("A", "A座")])
def test_a_building_is_named_by_its_number_or_its_letter(number, label):
    assert building_label(number) == label


@pytest.mark.parametrize("unit, label", [("2", "2单元"), ("东", "东单元"), ("B", "B座")])
def test_a_unit_is_named_by_its_number_or_side_and_a_tower_inside_a_building_by_its_letter(unit, label):
    assert unit_label(unit) == label
