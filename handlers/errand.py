"""你下单我跑腿: what to buy or do, where to deliver, by when and how to settle the money. The errand is
offered to the volunteers of the resident's grid, and the first to accept takes it."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from handlers import answers, case_followup, forms, resident_slots, when
from handlers.case_opening import open_and_route
from handlers.forms import Ask, Form, Slot
from handlers.turn import Outcome, Turn
from nlu.entities import extract_choice, extract_location, extract_phone

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

# Words that ask for an errand without saying what it is.
_NOISE = re.compile(
    r"你好|您好|在吗|请问|麻烦|帮忙|帮我|帮俺|替我|给我|俺|我们|我家|我要|我想|想要|想|需要|要|找人|找个人|来人|"
    r"你下单我跑腿|下单|跑腿|跑个腿|跑一趟|代办|志愿者|办点事|办个事|一下|个|的|了|啊|呀|吧|呢|哈|嗯|[\s，。！？、,.!?~～]"
)
PAYMENTS = (
    ("cash", "送到后给现金", r"现金|给钱|付钱|当面给|到了给|货到付款|回来给"),
    ("wechat", "微信转给志愿者", r"微信|转账|支付宝|扫码|转给"),
    ("none", "不用花钱（取送、代办）", r"不用花钱|不花钱|不用钱|免费|已经付|付过了|已付|不要钱|没花钱"),
)


def _describes(text: str) -> bool:
    return len(_NOISE.sub("", text)) >= 2


def _fill_what(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    return {"what": turn.text.strip()} if _describes(turn.text) else None


def _fill_due(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    text = turn.text
    if when.ASAP_WORDS.search(text):
        return {"due": "越快越好", "due_at": None}
    if asked is not None and when.ANYTIME_WORDS.search(text):
        return {"due": "不急，今天内就行", "due_at": None}
    found = when.read(text, turn.now, deadline=True)
    if not when.is_future(found, turn.now):
        return None
    return {"due": found.label, "due_at": found.at.isoformat()}


def _fill_payment(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    if asked is not None:
        index = extract_choice(turn.text, len(PAYMENTS))
        if index is not None:
            return {"payment": PAYMENTS[index - 1][1]}
    for _, label, pattern in PAYMENTS:
        if re.search(pattern, turn.text):
            return {"payment": label}
    text = turn.text
    if asked is not None and len(answers.cleaned(text)) >= 2 and not _names_something_else(text, turn):
        return {"payment": text.strip()}  # their own words: 找我儿子要
    return None


def _names_something_else(text: str, turn: Turn) -> bool:
    return (answers.only_objects(text) or any(extract_location(text)) or bool(extract_phone(text))
            or when.read(text, turn.now) is not None)


def _payment_question(turn: Turn, values: dict, uow: "UnitOfWork") -> Ask:
    return Ask("钱怎么结？", choices=tuple(label for _, label, _ in PAYMENTS))


def open_errand_case(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    new = resident_slots.new_case(
        "errand", None, values["what"], values, deliver_to=values.get("location"), due=values.get("due"),
        due_at=values.get("due_at"), payment=values.get("payment"),
    )
    case, assignment = open_and_route(new, turn.resident, uow, turn.settings, at=turn.now)
    resident_slots.remember(turn, values)
    outcome = case_followup.opened(case, assignment, turn, uow, ask_phone=False)
    if case.reporter_id != turn.resident.id:
        return outcome
    recap = f"送到{values.get('location', '')}，{values.get('due', '')}，{values.get('payment', '')}"
    return Outcome(f"{outcome.reply}\n（{recap}）")


ERRAND_FORM = forms.register(
    Form(
        name="errand",
        title="跑腿",
        intent="errand",
        slots=(
            Slot("what", prompt="需要帮您买什么、办什么？比如：去药店买两盒降压药", fill=_fill_what, label="事项",
                 free_text=True),
            resident_slots.location_slot("东西送到哪儿？比如：3号楼2单元501", label="送到"),
            Slot("due", prompt="什么时候要？比如：今天下午五点前。不急的话回复“不急”", fill=_fill_due, label="时间"),
            Slot("payment", prompt="钱怎么结？", fill=_fill_payment, label="付钱", question=_payment_question),
            resident_slots.phone_slot(ask=True, prompt="方便留个手机号吗？志愿者到了好联系您（不方便可回复“跳过”）"),
            resident_slots.PHOTOS_SLOT,
        ),
        on_complete=open_errand_case,
    )
)


def start(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return forms.start(ERRAND_FORM, turn, uow)
