"""Pictures and locations residents send outside a conversation: a picture goes with the case they just
reported (or starts a repair); a location names the nearest grid and who looks after it."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from handlers import forms, nearby, repair, resident_slots
from handlers.case_lifecycle import OPEN_STATES
from handlers.turn import Outcome, Turn

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

RECENT = timedelta(hours=24)  # a picture sent within this long of a report belongs to it


def image(turn: Turn, uow: "UnitOfWork") -> Outcome:
    photo = resident_slots.fill_photos(turn, {}, None, uow)
    if photo is None:
        return Outcome("图片没收到，请再发一次。")
    recent = next(
        (c for c in uow.cases.for_reporter(turn.resident.id, limit=5)
         if c.state in OPEN_STATES and turn.now - c.created_at <= RECENT),
        None,
    )
    if recent is not None:
        recent.details = {**(recent.details or {}), "photos": list((recent.details or {}).get("photos") or [])
                          + photo["photos"]}
        log.info("case.photo_added case=%s photos=%s", recent.number, len(recent.details["photos"]))
        return Outcome(f"照片收到了，已补充到工单 {recent.number}，处理人员能看到。")
    outcome = forms.start(repair.REPAIR_FORM, turn, uow)  # its photos slot takes this picture
    return Outcome("照片收到了。" + (outcome.reply or ""))


def location(turn: Turn, uow: "UnitOfWork") -> Outcome:
    found = nearby.nearest_grid(turn.media, turn.settings, uow)
    if found is None:
        return Outcome("您发的位置不在我们服务的网格附近。有事可以直接打字或按住说话告诉我。")
    grid = found.grid
    if turn.resident.community_id is None:
        turn.resident.community_id = grid.community_id
    if turn.resident.building_id is None:  # the next report can default to this grid (and confirm it)
        turn.state.slots = {**(turn.state.slots or {}), "near": resident_slots.near_values(found)}
    workers = uow.directory.staff_for_grid(grid.id, role="grid_worker")
    who = f"网格员是{workers[0].name}" if workers else "有网格员负责"
    return Outcome(
        f"您在{grid.community.name}{grid.name}附近（{found.buildings}），{who}。\n"
        "有事直接告诉我，比如“楼道灯坏了”，我会交给这个网格办理。"
    )
