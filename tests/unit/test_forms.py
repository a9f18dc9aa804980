"""The form engine on a toy form, without a database: any order, several answers at once, corrections,
the confirmation rule, cancelling, putting a form aside and coming back."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from handlers import forms
from handlers.forms import Ask, Form, Slot
from handlers.settings import DomainSettings
from handlers.timezone import SHANGHAI
from handlers.turn import Outcome, Turn
from storage.models import DialogueState, Resident

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
COMPLETED: list[dict] = []


def _number(pattern: str, name: str):
    def fill(turn, values, asked, uow):
        match = re.search(pattern, turn.text)
        return {name: match.group(1)} if match else None

    return fill


def _colour(turn, values, asked, uow):
    if asked and asked.get("colours"):
        index = int(turn.text) if turn.text.isdigit() and 1 <= int(turn.text) <= 2 else None
        return {"colour": asked["colours"][index - 1]} if index else None
    named = re.search(r"([红蓝])袋", turn.text)  # not asked: only said in so many words
    return {"colour": named.group(1)} if named else None


def _colour_question(turn, values, uow):
    return Ask("什么颜色？", choices=("红", "蓝"), pending={"colours": ["红", "蓝"]})


def _done(values, turn, uow) -> Outcome:
    COMPLETED.append(dict(values))
    return Outcome(f"好了：{values['apples']}个苹果，{values['pears']}个梨，{values['colour']}袋")


TOY = forms.register(Form(
    name="toy_order", title="订单", intent="toy",
    slots=(
        Slot("apples", prompt="几个苹果？", fill=_number(r"(\d+)个苹果", "apples"), label="苹果"),
        Slot("pears", prompt="几个梨？", fill=_number(r"(\d+)个梨", "pears"), label="梨",
             default=lambda turn, values, uow: {"pears": "0"}),
        Slot("colour", prompt="什么颜色？", fill=_colour, label="袋子", question=_colour_question),
    ),
    on_complete=_done,
))
OTHER = forms.register(Form(
    name="toy_other", title="别的事", slots=(Slot("x", prompt="x是多少？", fill=_number(r"x=(\d+)", "x")),),
    on_complete=lambda values, turn, uow: Outcome(f"x={values['x']}"),
))


class Conversation:
    def __init__(self):
        self.state = DialogueState(openid="o_toy", slots={}, updated_at=NOW)
        self.resident = Resident(openid="o_toy", created_at=NOW)

    def turn(self, text: str) -> Turn:
        return Turn(resident=self.resident, text=text, understanding=None, now=NOW, state=self.state,
                    settings=DomainSettings())

    def start(self, form: Form, text: str) -> str:
        return forms.start(form, self.turn(text), None).reply

    def say(self, text: str) -> str:
        form = forms.active(self.turn(text))
        turn = self.turn(text)
        if forms.is_cancel(form, turn):
            return forms.cancel(form, turn, None).reply
        return forms.advance(form, turn, None).reply


@pytest.fixture(autouse=True)
def _clean():
    COMPLETED.clear()


def test_everything_said_in_the_first_message_completes_at_once():
    chat = Conversation()

    assert chat.start(TOY, "3个苹果2个梨，蓝袋") == "好了：3个苹果，2个梨，蓝袋"
    assert chat.state.form is None


def test_a_form_that_took_several_turns_is_confirmed_first():
    chat = Conversation()

    assert "什么颜色" in chat.start(TOY, "3个苹果2个梨")
    assert "对吗" in chat.say("2") and COMPLETED == []
    assert chat.say("是").startswith("好了：3个苹果，2个梨，蓝袋")
    assert COMPLETED and chat.state.form is None


def test_answers_in_any_order_and_several_at_once():
    chat = Conversation()

    assert "几个苹果" in chat.start(TOY, "随便买点")
    summary = chat.say("4个梨，5个苹果")
    assert "什么颜色" in summary
    assert "苹果：5" in chat.say("1") and COMPLETED == []


def test_a_defaulted_value_is_confirmed_and_can_be_corrected():
    chat = Conversation()

    summary = chat.start(TOY, "3个苹果，红袋")  # one message, but the pears were not said

    assert "梨：0" in summary and "对吗" in summary and COMPLETED == []
    corrected = chat.say("不对，2个梨")
    assert "已改过来了" in corrected and "梨：2" in corrected
    chat.say("对")
    assert COMPLETED[0]["pears"] == "2"


def test_no_asks_what_to_change_and_then_asks_it_again():
    chat = Conversation()
    chat.start(TOY, "3个苹果")
    chat.say("1")

    which = chat.say("不对")
    assert "哪一项要改" in which and "1. 苹果" in which
    assert "几个苹果" in chat.say("1")
    assert "苹果：7" in chat.say("7个苹果")


def test_an_unanswerable_reply_repeats_the_question_with_its_choices_then_gives_up():
    chat = Conversation()
    chat.start(TOY, "3个苹果")

    again = chat.say("绿的")
    assert again.startswith("抱歉，我没听明白。什么颜色？") and "1. 红" in again
    chat.say("黄的")
    assert "这件事先放下了" in chat.say("紫的") and chat.state.form is None


def test_cancel_words_end_the_form():
    chat = Conversation()
    chat.start(TOY, "3个苹果")

    assert "已取消" in chat.say("算了") and chat.state.form is None and COMPLETED == []


def test_a_form_put_aside_comes_back_with_its_question():
    chat = Conversation()
    chat.start(TOY, "3个苹果")
    turn = chat.turn("x=1")

    forms.suspend(turn)
    done = forms.start(OTHER, turn, None)
    waiting = forms.resume(turn)

    assert done.reply == "x=1"
    assert waiting.startswith("接着说刚才的订单：") and "什么颜色" in waiting
    assert chat.state.form == "toy_order"
    assert "对吗" in chat.say("2")
