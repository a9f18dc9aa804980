"""When the NLU is unsure but has a likely guess (俺家水管子漏了咋整 scores 0.38 for a repair), ask
"您是想报修吗？" instead of only asking to rephrase; 是 goes on with the original message."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from handlers import answers, forms
from handlers.forms import Form, Slot
from handlers.smalltalk import MENU
from handlers.turn import Outcome, Turn
from nlu import Understanding
from nlu.entities import extract_entities

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

GUESS_FLOOR = 0.3  # below this the NLU's best intent is no better than a guess in the dark
WHAT = {
    "repair": "报修", "dispute": "请网格员帮忙调解邻里纠纷", "errand": "请志愿者帮忙跑腿",
    "consultation_signup": "报名议事会或者提个议题", "query_status": "查一下办事进度", "feedback": "评价这次服务",
}


def worth_asking(turn: Turn) -> str | None:
    """The intent to ask about, if the NLU's best (not confident) guess is one of the services."""
    understanding = turn.understanding
    if understanding is None or understanding.confident or understanding.confidence < GUESS_FLOOR:
        return None
    return understanding.intent if understanding.intent in WHAT else None


def ask(turn: Turn, uow: "UnitOfWork", intent: str) -> Outcome:
    understanding = turn.understanding
    question = f"我没太听明白，您是想{WHAT[intent]}吗？回复“是”，或换个说法再说一遍。"
    values = {"text": turn.text, "intent": intent, "category": understanding.category if understanding else None,
              "category_confidence": understanding.category_confidence if understanding else None}
    forms.expect(GUESS_FORM, turn, "yes", values, question)
    return Outcome(question)


def _fill_yes(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    if asked is None:
        return None
    if answers.is_yes(turn.text, turn.understanding) or answers.is_yes(answers.first_clause(turn.text)):
        return {"yes": True}
    if answers.is_no(turn.text, turn.understanding) or answers.is_no(answers.first_clause(turn.text)):
        return {"yes": False}
    return None


def _go_on(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    if not values.get("yes"):
        return Outcome(f"好的，请换个说法再说一遍，或者点下方菜单。我可以帮您：\n{MENU}")
    from handlers.routing import handler_for  # routing imports this module

    original = values["text"]
    understood = Understanding(
        text=original, intent=values["intent"], confidence=1.0, confident=True, category=values.get("category"),
        category_confidence=values.get("category_confidence"), entities=extract_entities(original, turn.now),
        backend="confirmed",
    )
    return handler_for(values["intent"])(replace(turn, text=original, understanding=understood), uow)


GUESS_FORM = forms.register(
    Form(
        name="guess",
        title="确认",
        slots=(Slot("yes", prompt="", fill=_fill_yes, yes_no=True),),
        on_complete=_go_on,
        confirm=False,
        sticky=False,
    )
)
