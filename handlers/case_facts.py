"""What the resident told, put to the person handling the case: whom to call, the other party and when
they can meet (调解), by when and how an errand is paid (跑腿), what a location message said.

Shown to staff only: a follower (a resident whose report was merged into this case) must not see the
reporter's phone number.
"""
from __future__ import annotations

from storage.models import Case

_MEETING = {True: "要", False: "不用，请工作人员先去沟通"}


def contact_phone(case: Case) -> str | None:
    """The number the resident left with this report, else the one they registered."""
    phone = (case.details or {}).get("phone")
    if phone:
        return phone
    return case.reporter.phone if case.reporter is not None else None


def facts(case: Case) -> list[tuple[str, str]]:
    """(label, value) pairs in the order a worker reads them; only what was said."""
    details = case.details or {}
    found: list[tuple[str, str | None]] = [("联系电话", contact_phone(case)), ("位置说明", details.get("place"))]
    if case.kind == "dispute":
        mediation = details.get("mediation")
        found += [
            ("对方", details.get("party")),
            ("当面调解", _MEETING.get(mediation) if isinstance(mediation, bool) else None),
            ("方便时间", (details.get("meeting_label") or "时间待定") if mediation is True else None),
        ]
    if case.kind == "errand":
        found += [("期限", details.get("due")), ("付款", details.get("payment"))]  # 送到 is the case's place
    return [(label, str(value)) for label, value in found if value not in (None, "")]


def briefing(case: Case, *, width: int = 40) -> str:
    """One line for a worker's chat: 联系电话：138…；方便时间：明天14:00-16:00 (empty when nothing was said).
    Each value cut to `width` characters: it goes into a passive reply of at most 2048 bytes."""
    return "；".join(f"{label}：{value if len(value) <= width else value[: width - 1] + '…'}"
                    for label, value in facts(case))
