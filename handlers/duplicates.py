"""A second report of the same problem at the same place, while the first is open, is merged into it."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from handlers.case_lifecycle import OPEN_STATES
from nlu.entities import without_location
from storage.models import Case

if TYPE_CHECKING:
    from handlers.case_opening import NewCase
    from storage.unit_of_work import UnitOfWork

MERGED_KINDS = ("repair", "dispute")  # errands are personal: two residents' errands are two errands
SIMILAR_ENOUGH = 0.3  # Dice overlap of character pairs, with places and filler words removed
# Where two households can see the same problem (a different room does not make it a different problem).
SHARED_PLACES = re.compile(r"楼道|电梯|单元门|楼梯|走廊|过道|公共|路灯|大门|门禁|楼顶|天台|外墙|车库|地库|垃圾|绿化|草坪|树|小区|院|停车|消防|通道|下水道|化粪池|水箱|管道井")
_PLACE = re.compile(r"[0-9０-９一二三四五六七八九十零〇两]+\s*(号楼|号|栋|幢|座|单元|室|楼|层|户)?|[东西南北中]单元")
_FILLER = re.compile(r"我家|俺家|家里|我们|俺们|请|麻烦|帮忙|一下|师傅|物业|报修|的|了|啊|呀|吧|呢|哈|嗯|还|又|都|也|很|太|有点|[\s，。！？、,.!?~～：:；;]")


def _pairs(text: str) -> set[str]:
    core = _FILLER.sub("", _PLACE.sub("", without_location(text)))
    return {core[i : i + 2] for i in range(len(core) - 1)} or ({core} if core else set())


def similarity(a: str, b: str) -> float:
    first, second = _pairs(a), _pairs(b)
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def find_original(new: "NewCase", uow: "UnitOfWork") -> Case | None:
    """The open case this report repeats, if any: same kind, category and building, a similar problem."""
    if new.kind not in MERGED_KINDS or new.building_id is None:
        return None
    candidates = uow.cases.open_at_building(new.kind, new.category, new.building_id, [s.value for s in OPEN_STATES])
    best, best_score = None, 0.0
    for case in candidates:
        if new.unit and case.unit and new.unit != case.unit:
            continue
        if new.room and case.room and new.room != case.room and not (
            SHARED_PLACES.search(new.description) and SHARED_PLACES.search(case.description)
        ):
            continue  # two homes' own problems, however alike they sound
        score = similarity(new.description, case.description)
        if score >= SIMILAR_ENOUGH and score > best_score:
            best, best_score = case, score
    return best
