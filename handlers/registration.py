"""Where a resident lives and their phone (hence their grid): asked after following the account, or at
first need by the flows, and changed whenever they say so (我搬到5号楼了 / 手机号换了139…)."""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from handlers import forms, locations, resident_slots
from handlers.assignment import ROLE_LABELS
from handlers.forms import Form, Slot
from handlers.turn import Outcome, Turn
from nlu.entities import extract_location, extract_phone

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

ASK_ADDRESS = f"请告诉我您住哪儿，{locations.EXAMPLE}"
# What is left of 我住B座2单元1801 / 俺家住在5栋302 / 我现在住3号楼 once the address is taken out.
_ONLY_WHERE = re.compile(r"^(我|俺|咱)(们)?(家)?(现在|就|是)?(住|在)(在|的是)?$")
WELCOME_ASK = "先告诉我您住哪儿吧（如“3号楼2单元501”），以后办事就不用再说了。不想说可回复“跳过”。"


def only_an_address(text: str | None) -> bool:
    """The whole message says where the resident lives and asks for nothing: registration, whatever the NLU
    makes of it (it has no intent for this, and an address alone looks most like a repair to it)."""
    if not text or ("住" not in text and "在" not in text):  # every message outside a form passes here: cheap first
        return False
    rest = locations.besides_place(text)
    return rest is not None and bool(_ONLY_WHERE.match(rest))


def _slots(*, ask_phone: bool) -> tuple[Slot, ...]:
    location = Slot("location", prompt=ASK_ADDRESS, fill=resident_slots.fill_location, label="住址",
                    default=resident_slots.registered_address, default_confirms=False)
    return location, resident_slots.phone_slot(ask=ask_phone)


def save(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    """Bind the resident to the building (hence community and grid) and phone given."""
    resident = turn.resident
    if values.get("building_id"):
        resident.community_id = values["community_id"]
        resident.building_id = values["building_id"]
        resident.unit = values.get("unit")
        resident.room = values.get("room")
    elif values.get("community_id"):
        resident.community_id = values["community_id"]
    if values.get("phone"):
        resident.phone = values["phone"]
    log.info("resident.registered has_building=%s has_phone=%s", bool(resident.building_id), bool(resident.phone))
    lines = [f"好的，已登记。\n住址：{values.get('location', '')}"]
    grid = uow.directory.grid(values["grid_id"]) if values.get("grid_id") else None
    if grid is not None:
        workers = uow.directory.staff_for_grid(grid.id, role="grid_worker")
        who = f"，{ROLE_LABELS['grid_worker']} {workers[0].name}" if workers else ""
        lines.append(f"所属网格：{grid.name}{who}")
    if values.get("phone"):
        lines.append(f"电话：{values['phone']}")
    lines.append("以后办事就不用再说地址了。")
    return Outcome("\n".join(lines))


REGISTER_FORM = forms.register(
    Form(
        name="register",
        title="住址登记",
        intent="register",
        slots=_slots(ask_phone=False),
        on_complete=save,
    )
)
# After following the account: answered, it registers; anything else is routed as usual.
WELCOME_FORM = forms.register(
    Form(
        name="welcome_register",
        title="住址登记",
        intent="register",
        slots=_slots(ask_phone=True),
        on_complete=save,
        sticky=False,
        cancel_words=("跳过", "以后再说", "下次再说", "不用了", "算了", "取消", "不想说"),
        cancel_reply="好的，以后需要时再说。有事直接告诉我就行。",
    )
)


def start(turn: Turn, uow: "UnitOfWork") -> Outcome:
    """我搬到5号楼了 / 手机号换了… / 登记住址: change it at once, or show what is registered and ask."""
    resident = turn.resident
    phone = extract_phone(turn.text)
    if any(extract_location(turn.text)):
        return forms.start(REGISTER_FORM, turn, uow)
    if phone:  # 手机号换了139…: just the phone, said in so many words
        resident.phone = phone
        log.info("resident.phone_changed")
        more = "" if resident.building_id else "\n住址也告诉我的话，以后办事就不用再说了，如“我住3号楼2单元501”。"
        return Outcome(f"好的，已登记您的电话：{phone}。{more}")
    if resident.building is None:
        forms.expect(REGISTER_FORM, turn, "location", {}, ASK_ADDRESS)
        return Outcome(ASK_ADDRESS)
    current = locations.Place(resident.building, resident.unit, resident.room).as_values()["location"]
    phone = f"，电话 {resident.phone}" if resident.phone else ""
    question = f"您登记的住址是 {current}{phone}。\n要改的话直接告诉我新的，比如“我搬到5号楼2单元301了”。"
    forms.expect(REGISTER_FORM, turn, "location", {}, question)
    return Outcome(question)


def ask_after_welcome(turn: Turn) -> str | None:
    """The question added to the welcome when we do not know where the resident lives."""
    if turn.resident.building_id is not None:
        return None
    forms.expect(WELCOME_FORM, turn, "location", {}, WELCOME_ASK)
    return WELCOME_ASK
