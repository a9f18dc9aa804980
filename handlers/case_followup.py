"""Right after a resident's case is opened: the reply that names it, and a phone number if we have none.

The reply always says how to undo (回复“取消”可撤回): the cancel handler withdraws a case reported
minutes ago without further questions.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from handlers import cancellation, forms, resident_slots
from handlers.assignment import Assignment
from handlers.forms import Form, Slot
from handlers.timezone import short_time
from handlers.turn import Outcome, Turn
from storage.models import Case

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

UNDO_HINT = "回复“进度”可随时查询，回复“取消”可撤回。"
ASK_PHONE = "方便的话回复您的手机号，处理人员好联系您。"


def opened(case: Case, assignment: Assignment | None, turn: Turn, uow: "UnitOfWork", *, ask_phone: bool = True) -> Outcome:
    """The reply for a case just opened from a form, naming it, who has it and by when; asks for a phone
    number when we have none (unless the form already asked)."""
    log.info("case.opened case=%s kind=%s dispatched=%s", case.number, case.kind, assignment is not None)
    if case.reporter_id is not None and case.reporter_id != turn.resident.id:
        # Someone reported the same thing first: this report joined their case.
        return Outcome(f"这件事已经有人报过了（工单 {case.number}），正在处理，有进展也会告诉您。")
    if assignment is None:
        text = f"已收到，工单编号 {case.number}。社区会尽快安排人员处理。\n{UNDO_HINT}"
    elif assignment.assignee is None:
        when = short_time(case.accept_due_at, now=turn.now) if case.accept_due_at else "尽快"
        text = (f"已受理，编号 {case.number}。\n已发给{assignment.handler_label}，{when}前会有人接单联系您。\n"
                f"{UNDO_HINT}")
    else:
        when = short_time(case.accept_due_at, now=turn.now)
        text = f"已受理，工单编号 {case.number}。\n由{assignment.handler_label}负责，{when}前会联系您。\n{UNDO_HINT}"
    if ask_phone and not (case.details or {}).get("phone") and not turn.resident.phone:
        forms.expect(CONTACT_FORM, turn, "phone", {"case": case.number}, ASK_PHONE)
        text += "\n" + ASK_PHONE
    return Outcome(text)


def _attach_phone(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    phone = values.get("phone")
    if not phone:
        return Outcome("好的。有需要随时找我。")
    case = uow.cases.by_number(values["case"])
    if case is not None and case.reporter_id == turn.resident.id:
        case.details = {**(case.details or {}), "phone": phone}
    resident_slots.remember(turn, {"phone": phone})
    return Outcome("好的，已记下您的电话，会转给处理人员。")


def _undo(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    return cancellation.withdraw_latest(turn, uow)


CONTACT_FORM = forms.register(
    Form(
        name="case_contact",
        title="联系电话",
        slots=(Slot("phone", prompt=ASK_PHONE, fill=resident_slots.fill_phone, optional=True, ask_once=True),),
        on_complete=_attach_phone,
        on_cancel=_undo,
        confirm=False,
        sticky=False,
    )
)
