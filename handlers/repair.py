"""报事报修: a resident's repair becomes a case for the red butler team that owns its category."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from handlers import case_followup, forms, locations, resident_slots
from handlers.case_opening import open_and_route
from handlers.forms import Ask, Form, Slot, register
from handlers.turn import Outcome, Turn
from nlu import CATEGORIES
from nlu.entities import extract_choice, without_location

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

CATEGORY_CHOICES = (
    ("engineering", "工程维修（水电、电梯、门窗、暖气、燃气）"),
    ("cleaning", "清洁卫生（垃圾、异味、虫鼠、杂物）"),
    ("greening", "园林绿化（树木、草坪）"),
    ("order", "秩序安全（停车、消防通道、飞线充电、陌生人）"),
    ("care", "亲情关怀（独居老人、病残家庭需要探望）"),
)
CATEGORY_NAMES = dict(CATEGORY_CHOICES)
CATEGORY_MIN_CONFIDENCE = 0.5  # 家里有点问题 is a repair, but of which kind only the resident can say
# Words that say "I want to report something" without saying what is wrong.
_NO_PROBLEM_WORDS = re.compile(
    r"你好|您好|在吗|请问|麻烦|帮忙|帮我|帮俺|俺|我们|我家|我要|我想|想要|需要|要|报修|报事|维修|修理|修一下|找人|来人|"
    r"师傅|物业|一下|的|了|啊|呀|吧|呢|哈|嗯|[0-9一二三四五六七八九十零〇两]+(号楼|栋|幢|单元|室|楼|号)?|"
    r"[\s，。！？、,.!?~～]"
)


def describes_problem(text: str) -> bool:
    """True when the message says what is wrong, not only that something is."""
    return len(_NO_PROBLEM_WORDS.sub("", without_location(text))) >= 2


def _fill_problem(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    if not describes_problem(turn.text):  # also when asked: a bare address is not a problem
        return None
    found = {"problem": turn.text.strip()}
    understanding = turn.understanding
    sure = understanding is not None and (understanding.category_confidence or 0) >= CATEGORY_MIN_CONFIDENCE
    if sure and understanding.category in CATEGORIES and (understanding.intent == "repair" or asked is not None):
        found["category"] = understanding.category  # otherwise the category is asked, with choices
    return found


def _fill_category(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    if asked is None:
        return None
    index = extract_choice(turn.text, len(CATEGORY_CHOICES))
    if index is not None:
        return {"category": CATEGORY_CHOICES[index - 1][0]}
    understanding = turn.understanding
    if understanding is not None and understanding.category in CATEGORIES:
        return {"category": understanding.category}
    return None


def _category_question(turn: Turn, values: dict, uow: "UnitOfWork") -> Ask:
    return Ask("请问属于哪一类？", choices=tuple(label for _, label in CATEGORY_CHOICES))


def open_repair_case(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    """Turn a completed repair form into a case: reported, registered, dispatched."""
    case, assignment = open_and_route(
        resident_slots.new_case("repair", values["category"], values["problem"], values),
        turn.resident, uow, turn.settings, at=turn.now,
    )
    resident_slots.remember(turn, values)
    return case_followup.opened(case, assignment, turn, uow)


REPAIR_FORM = register(
    Form(
        name="repair",
        title="报修",
        intent="repair",
        slots=(
            Slot("problem", prompt="请简单说一下需要维修的问题，比如：厨房水管漏水", fill=_fill_problem, label="问题",
                 free_text=True),
            Slot("category", prompt="请问属于哪一类？", fill=_fill_category, label="类别", question=_category_question,
                 show=lambda v: CATEGORY_NAMES.get(v.get("category") or "", "").split("（")[0] or None),
            resident_slots.location_slot(
                f"请告诉我楼栋和房号，{locations.EXAMPLE}。\n在楼外的话说离哪栋楼近，如“5号楼门口”，也可以发个位置。"),
            resident_slots.phone_slot(ask=False),
            resident_slots.PHOTOS_SLOT,
        ),
        on_complete=open_repair_case,
    )
)


def start(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return forms.start(REPAIR_FORM, turn, uow)
