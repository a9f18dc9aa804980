"""Where a resident means: a building number (repeated across communities) becomes one building."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers import answers
from handlers.forms import Ask
from nlu.entities import extract_choice, extract_location, read_unit, without_location
from storage.models import Building, Resident
from storage.models.directory import building_label, place_label, unit_label

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

EXAMPLE = "例如：3号楼2单元501"


def besides_place(text: str) -> str | None:
    """What the message says besides the building, unit and room it names, without punctuation or spaces
    (我住B座2单元1801 -> 我住); None when it names no place."""
    rest = answers.plain(without_location(text)).replace(" ", "")
    return rest if rest != answers.plain(text).replace(" ", "") else None


def only_a_place(text: str) -> bool:
    """6号楼2单元302 and nothing else: an answer to "where?", not a request (the NLU may read it as a repair)."""
    return besides_place(text) == ""


@dataclass(frozen=True)
class Place:
    building: Building
    unit: str | None
    room: str | None

    @property
    def label(self) -> str:
        return place_label(self.building, self.unit, self.room)

    def as_values(self) -> dict:
        return {
            "location": f"{self.building.community.name}{self.label}",
            "building_id": self.building.id,
            "community_id": self.building.community_id,
            "grid_id": self.building.grid_id,
            "unit": self.unit,
            "room": self.room,
        }


def resolve(
    building: str | None, unit: str | None, room: str | None, resident: Resident, uow: "UnitOfWork",
    *, community_id: int | None = None,
) -> Place | Ask | None:
    """The building the resident means, an Ask when it is unknown or ambiguous, None if none was named.

    `community_id` (the one this conversation is about) wins over the resident's own community.
    """
    if not building:
        return None
    candidates = uow.directory.buildings_numbered(building)
    for known in (community_id, resident.community_id):
        own = [b for b in candidates if known is not None and b.community_id == known]
        if own:
            candidates = own
            break
    if unit and len(candidates) > 1:
        # 3号楼5单元 can only be the 3号楼 that has a 5单元: no need to ask.
        candidates = [b for b in candidates if not b.units or unit in b.units] or candidates
    if not candidates:
        return Ask(f"没有找到{building_label(building)}，请再核对一下楼号，{EXAMPLE}")
    if len(candidates) > 1:
        labels = tuple(f"{b.community.name}{b.label}" for b in candidates)
        return Ask(
            f"有几个社区都有{building_label(building)}，请问是哪一个？",
            choices=labels,
            pending={"buildings": [b.id for b in candidates], "unit": unit, "room": room},
            clarifies=True,
        )
    return checked(candidates[0], unit, room)


def checked(building: Building, unit: str | None, room: str | None) -> Place | Ask:
    """The place, or "3号楼只有1单元、2单元，请问是几单元？" when the building has no such unit; the answer is read
    by resolve_unit, keeping the building and room already said."""
    if unit and building.units and unit not in building.units:
        names = "、".join(unit_label(u) for u in building.units)
        return Ask(f"{building.label}只有{names}，请问是几单元？", pending={"unit_of": building.id, "room": room})
    return Place(building, unit, room)


def resolve_unit(text: str, pending: dict, uow: "UnitOfWork") -> Place | Ask | None:
    """Read the answer to "which unit?": 2单元, 2, 东 or a fresh unit and room; the room said before stays."""
    building = uow.directory.building(pending["unit_of"])
    if building is None:
        return None
    _, unit, room = extract_location(text)
    if unit is None:  # 2, 二, 是东的
        unit = read_unit(answers.correction_rest(text).removesuffix("的"))
        if unit not in building.units:
            return None
    return checked(building, unit, room or pending.get("room"))


def resolve_choice(text: str, pending: dict, uow: "UnitOfWork") -> Place | None:
    """Read the answer to "which building?": a number from the list, or a fresh address."""
    ids = pending.get("buildings") or []
    index = extract_choice(text, len(ids))
    if index is None:
        return None
    building = uow.directory.building(ids[index - 1])
    unit, room = pending.get("unit"), pending.get("room")
    _, new_unit, new_room = extract_location(text)
    return Place(building, new_unit or unit, new_room or room)
