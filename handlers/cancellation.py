"""取消 with no conversation open: withdraw a case the resident reported minutes ago at once (the
reply to every new case offers this), or choose which of their open cases to withdraw, and confirm;
议事会不去了 gives up the seats at a coming meeting."""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING

from handlers import answers, case_actions, case_words, forms, meeting_reminders, meetings, when
from handlers import case_lifecycle as lifecycle
from handlers.case_lifecycle import IllegalTransition
from handlers.case_opening import resident_actor
from handlers.forms import Ask, Form, Slot
from handlers.timezone import local
from handlers.turn import Outcome, Turn
from nlu.entities import extract_case_number, extract_choice
from storage.models import Case

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

UNDO_WINDOW = timedelta(minutes=30)  # "回复“取消”可撤回" holds this long after a report
UNDO_WORDS = frozenset({"取消", "撤回", "撤销", "取消工单", "撤回工单", "撤销工单", "不报了", "取消报修", "不用了", "算了",
                        "不要了", "撤了", "取消吧", "撤回吧"})
NOTHING = "您现在没有可以撤回的事项。需要帮忙的话直接告诉我。"
_ABOUT_MEETING = re.compile(r"议事|开会|会议|相约周三|报名|参加")


def cancellable(turn: Turn, uow: "UnitOfWork") -> list[Case]:
    actor = resident_actor(turn.resident)
    return [c for c in uow.cases.for_reporter(turn.resident.id, limit=20) if lifecycle.can_apply(c, "cancel", actor)]


KEEP = "好的，不取消，照常办理。有需要随时告诉我。"


def handle(turn: Turn, uow: "UnitOfWork") -> Outcome:
    if _ABOUT_MEETING.search(turn.text):
        return withdraw_signup(turn, uow)
    cases = cancellable(turn, uow)
    number = extract_case_number(turn.text)
    if number is not None:
        named = [c for c in cases if c.number == number]
        if not named:
            return Outcome(f"没有找到您名下可以撤回的工单 {number}。回复“进度”看看您的工单。")
        return forms.start(CANCEL_FORM, turn, uow, values=_case_values(named[0]), sources={"case": "said"})
    if not cases:
        return Outcome(NOTHING)
    latest = cases[0]
    if answers.said(turn.text, UNDO_WORDS) and turn.now - latest.created_at <= UNDO_WINDOW:
        return _withdraw(latest, turn, uow, "居民撤回")
    return forms.start(CANCEL_FORM, turn, uow)


def withdraw_signup(turn: Turn, uow: "UnitOfWork") -> Outcome:
    """议事会不去了: give up the seats at the coming meeting (the one on the day named, if several)."""
    seats = list(uow.meetings.signups_of(turn.resident.id, after=turn.now))
    day = when.read(turn.text, turn.now)
    if day is not None:
        first, last = day.days()
        seats = [s for s in seats if first <= local(s.meeting.starts_at).date() <= last]
    if not seats:
        return Outcome("您没有要取消的议事会报名。回复“报名议事会”看看近期的议事会。")
    if len(seats) > 1:
        listed = "；".join(meetings.when_label(s.meeting, turn.now) for s in seats[:4])
        return Outcome(f"您报了这几场：{listed}。\n请说是哪一天的，比如“周三的议事会不去了”。")
    seat = seats[0]
    seat.status, seat.updated_at = "cancelled", turn.now
    meeting_reminders.withdraw_reminders(seat.meeting, seat, uow, now=turn.now)
    log.info("meeting.signup_cancelled meeting=%s", seat.meeting_id)
    return Outcome(f"好的，已取消您{meetings.when_label(seat.meeting, turn.now)}{seat.meeting.title}的报名。"
                   "想去的话随时再报。")


def withdraw_latest(turn: Turn, uow: "UnitOfWork") -> Outcome:
    """Undo the case just reported (取消 right after the reply that named it)."""
    cases = cancellable(turn, uow)
    if not cases or turn.now - cases[0].created_at > UNDO_WINDOW:
        return Outcome(NOTHING)
    return _withdraw(cases[0], turn, uow, "居民撤回")


def _withdraw(case: Case, turn: Turn, uow: "UnitOfWork", reason: str) -> Outcome:
    try:
        case_actions.cancel(case, resident_actor(turn.resident), reason, uow, at=turn.now)
    except IllegalTransition as error:
        return Outcome(f"工单 {case.number} 撤回不了：{error}")
    log.info("case.withdrawn case=%s", case.number)
    return Outcome(f"好的，工单 {case.number}（{case_words.title(case)}）已撤回。有需要随时再找我。")


def _case_values(case: Case) -> dict:
    return {"case": case.number, "case_title": case_words.title(case)}


def _fill_case(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    cases = {c.number: c for c in cancellable(turn, uow)}
    number = extract_case_number(turn.text)
    if number is None and asked and asked.get("cases"):
        index = extract_choice(turn.text, len(asked["cases"]))
        number = asked["cases"][index - 1] if index is not None else None
    return _case_values(cases[number]) if number in cases else None


def _only_case(turn: Turn, values: dict, uow: "UnitOfWork") -> dict | None:
    cases = cancellable(turn, uow)
    return _case_values(cases[0]) if len(cases) == 1 else None


def _which_case(turn: Turn, values: dict, uow: "UnitOfWork") -> Ask:
    cases = cancellable(turn, uow)[:5]
    return Ask("要撤回哪一件？", choices=tuple(f"{c.number} {case_words.title(c, width=10)}" for c in cases),
               pending={"cases": [c.number for c in cases]})


def _show_case(values: dict) -> str:
    return f"{values['case']} {values.get('case_title', '')}".strip()


def _complete(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    case = next((c for c in cancellable(turn, uow) if c.number == values["case"]), None)
    if case is None:
        return Outcome(f"工单 {values['case']} 已经不能撤回了。回复“进度”看看它办到哪一步了。")
    return _withdraw(case, turn, uow, turn.text if len(turn.text) > 2 else "居民撤回")


CANCEL_FORM = forms.register(
    Form(
        name="cancel_case",
        title="撤回工单",
        intent="cancel",
        slots=(Slot("case", prompt="要撤回哪一件？", fill=_fill_case, label="工单", default=_only_case,
                    question=_which_case, show=_show_case),),
        on_complete=_complete,
        summary_title="您要撤回：",
        confirm_question="确定撤回吗？回复“是”撤回，回复“不”就不撤。",
        no_reply="好的，不撤回，工单继续办理。",
        cancel_words=("不撤了", "不撤回", "不取消"),
        cancel_reply="好的，不撤回，工单继续办理。",
    )
)
