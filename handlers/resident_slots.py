"""Slots every resident form shares: where (a building, or the grid of a location message), the
phone number, photos; their defaults from what the resident registered, and remembering them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from handlers import answers, locations, nearby
from handlers.case_opening import NewCase
from handlers.forms import SOURCE, Ask, Slot
from handlers.turn import Turn
from nlu.entities import extract_location, extract_phone

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork


def fill_location(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | Ask | None:
    """A building (3号楼2单元501, 5-2-302), a partial correction of the known one (不对，是502), a numbered
    answer to "which community?", or the nearest grid of a location message."""
    if turn.msg_type == "location":
        return _from_location_message(turn, uow)
    if asked and asked.get("buildings"):
        place = locations.resolve_choice(turn.text, asked, uow)
        if place is not None:
            return place.as_values()
    if asked and asked.get("unit_of"):
        place = locations.resolve_unit(turn.text, asked, uow)
        if place is not None:
            return place if isinstance(place, Ask) else place.as_values()
    building, unit, room = extract_location(turn.text)
    if building is None:
        building, unit, room = extract_location(answers.correction_rest(turn.text))
    if building is None:
        return _corrected_part(values, unit, room, uow)
    named = _community_named(turn.text, uow)
    community_id = named or values.get("community_id")
    found = locations.resolve(building, unit, room, turn.resident, uow, community_id=community_id)
    if found is None or isinstance(found, Ask):
        return found
    return found.as_values()


def _community_named(text: str, uow: "UnitOfWork") -> int | None:
    """明眼泉8号楼: the community a message names, which settles whose 8号楼 it is."""
    for community in uow.directory.communities():
        if community.name in text or community.name.removesuffix("社区") in text:
            return community.id
    return None


def _corrected_part(values: dict, unit: str | None, room: str | None, uow: "UnitOfWork") -> dict | Ask | None:
    """不对，是502 / 是2单元的: change part of a building already given, keep the rest."""
    if not (unit or room) or not values.get("building_id"):
        return None
    building = uow.directory.building(values["building_id"])
    if building is None:
        return None
    checked = locations.checked(building, unit or values.get("unit"), room or values.get("room"))
    return checked if isinstance(checked, Ask) else checked.as_values()


def _from_location_message(turn: Turn, uow: "UnitOfWork") -> dict | Ask | None:
    found = nearby.nearest_grid(turn.media, turn.settings, uow)
    if found is None:
        return Ask(f"您发的位置离我们的网格有点远。请直接告诉我楼栋和房号，{locations.EXAMPLE}")
    return {**near_values(found), SOURCE: "inferred"}


def near_values(found: nearby.NearestGrid) -> dict:
    """A place known only by the grid nearest to a location message (no building)."""
    place = f"{found.grid.name}（{found.label}）" if found.label else f"{found.grid.name}附近"
    return {
        "location": f"{found.grid.community.name}{place}", "place": place, "building_id": None, "unit": None,
        "room": None, "community_id": found.grid.community_id, "grid_id": found.grid.id,
    }


def registered_address(turn: Turn, values: dict, uow: "UnitOfWork") -> dict | None:
    """The resident's registered address; failing that, the grid of a location they sent earlier."""
    resident = turn.resident
    if resident.building is None:
        near = (turn.state.slots or {}).get("near")
        return dict(near) if near else None
    return locations.Place(resident.building, resident.unit, resident.room).as_values()


def fill_phone(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | Ask | None:
    phone = extract_phone(turn.text)
    if phone:
        return {"phone": phone}
    if asked is not None and answers.is_yes(turn.text, turn.understanding):
        return Ask("好的，请直接回复手机号，比如 13912345678")  # "方便留个手机号吗？" "行"
    return None


def registered_phone(turn: Turn, values: dict, uow: "UnitOfWork") -> dict | None:
    return {"phone": turn.resident.phone} if turn.resident.phone else None


def fill_photos(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    """An image message sent while the form is open goes with it (WeChat's media_id and picture URL)."""
    if turn.msg_type != "image" or not turn.media:
        return None
    photo = {"media_id": turn.media.get("media_id"), "pic_url": turn.media.get("pic_url"), "at": turn.now.isoformat()}
    return {"photos": list(values.get("photos") or []) + [photo]}


def location_slot(prompt: str, *, label: str = "地点") -> Slot:
    return Slot("location", prompt=prompt, fill=fill_location, label=label, default=registered_address)


def phone_slot(*, ask: bool, prompt: str = "方便留个手机号吗？工作人员好联系您（不方便可回复“跳过”）") -> Slot:
    """The contact phone: the registered one by default (that alone needs no confirmation); asked once if
    `ask` and unknown."""
    return Slot("phone", prompt=prompt, fill=fill_phone, label="电话", optional=True, ask_once=ask,
                default=registered_phone, default_confirms=False)


PHOTOS_SLOT = Slot(
    "photos", prompt="", fill=fill_photos, label="照片", optional=True,
    show=lambda values: f"{len(values['photos'])}张" if values.get("photos") else None,
)


def new_case(kind: str, category: str | None, description: str, values: dict, **details) -> NewCase:
    """The case a completed form opens: where from the location slot, details from the form."""
    return NewCase(
        kind=kind, category=category, description=description, community_id=values["community_id"],
        grid_id=values["grid_id"], building_id=values.get("building_id"), unit=values.get("unit"),
        room=values.get("room"), details=case_details(values, **details),
    )


def case_details(values: dict, **extra) -> dict:
    """What a form adds to case.details: the place of a location message, contact phone, photos."""
    details = {
        "place": values.get("place") if values.get("building_id") is None else None,
        "phone": values.get("phone"),
        "photos": values.get("photos"),
        **extra,
    }
    return {k: v for k, v in details.items() if v not in (None, "", [])}


def remember(turn: Turn, values: dict) -> None:
    """At first need: the first address and phone a resident gives become theirs (changeable later)."""
    resident = turn.resident
    if resident.building_id is None and values.get("building_id"):
        resident.community_id = values["community_id"]
        resident.building_id = values["building_id"]
        resident.unit = values.get("unit")
        resident.room = values.get("room")
    elif resident.community_id is None and values.get("community_id"):
        resident.community_id = values["community_id"]
    if not resident.phone and values.get("phone"):
        resident.phone = values["phone"]
