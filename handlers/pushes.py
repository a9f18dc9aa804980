"""Which pushes a case's events call for. Handlers never send: these become outbox rows on commit."""
from __future__ import annotations

from dataclasses import dataclass, field

from handlers.case_lifecycle import CaseTransitioned
from handlers.case_opening import CATEGORY_LABELS, KIND_LABELS
from handlers.timezone import local

TEMPLATE_KEYWORD_LIMIT = 20  # WeChat drops template keywords longer than this


@dataclass(frozen=True)
class PushRequest:
    """A message for one person. `template` pushes carry named fields; `text` pushes carry text."""

    openid: str
    kind: str  # template | text
    dedupe_key: str
    template: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    text: str | None = None
    link_case: str | None = None  # case number the template links to (the URL is made at send time)
    link_path: str | None = None  # or a workbench page ("/w/"), signed for the recipient at send time
    case_id: int | None = None


def keyword(value: str, limit: int = TEMPLATE_KEYWORD_LIMIT) -> str:
    """One template keyword: single line, at most `limit` characters (…-shortened)."""
    flat = " ".join(str(value).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def case_summary(case) -> str:
    label = CATEGORY_LABELS.get(case.category or "", "") or KIND_LABELS.get(case.kind, "")
    return f"{label}·{case.description}" if label else case.description


def plan(event: CaseTransitioned, uow) -> list[PushRequest]:
    """The pushes one transition calls for."""
    case = event.case
    if event.action == "dispatch":
        details = case.details or {}
        recipients = [case.assignee] if case.assignee is not None else []
        recipients += [uow.directory.staff(i) for i in details.get("helpers", [])]
        template = "case_assigned"
        if case.assignee is None:
            recipients, template = [uow.directory.staff(i) for i in details.get("pool", [])], "errand_offered"
        return [_assigned(case, event, staff.openid, template) for staff in recipients if staff is not None]
    return []


def _assigned(case, event: CaseTransitioned, openid: str, template: str) -> PushRequest:
    due = case.accept_due_at
    return PushRequest(
        openid=openid,
        kind="template",
        template=template,
        dedupe_key=f"case:{case.number}:event:{event.event.id}:{openid}",
        fields={
            "case_no": keyword(case.number),
            "summary": keyword(case_summary(case)),
            "location": keyword(f"{case.community.name}{case.location_label}"),
            "deadline": keyword(f"{local(due):%Y-%m-%d %H:%M}" if due else "尽快"),
        },
        link_case=case.number,
        case_id=case.id,
    )


def publish(events: list, uow) -> None:
    """Unit-of-work publisher: turn recorded domain events into outbox rows in the same transaction."""
    for event in events:
        if not isinstance(event, CaseTransitioned):
            continue
        for push in plan(event, uow):
            enqueue(push, uow, now=event.event.at)


def enqueue(push: PushRequest, uow, *, now, due_at=None, expires_at=None) -> bool:
    """Write the push to the outbox (sent when due; dropped if still unsent at `expires_at`)."""
    payload = {"template": push.template, "fields": push.fields, "link_case": push.link_case,
               "link_path": push.link_path, "text": push.text}
    return uow.outbox.add(
        dedupe_key=push.dedupe_key,
        openid=push.openid,
        kind=push.kind,
        payload={k: v for k, v in payload.items() if v},
        case_id=push.case_id,
        now=now,
        due_at=due_at,
        expires_at=expires_at,
    )
