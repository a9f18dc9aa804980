"""Which pushes a case's events call for. Handlers never send: these become outbox rows on commit.

Workers get template messages (they may not have written to the account for days). Residents get a
customer-service text inside the 48 h window after their last message, and a template message outside
it; the choice is made here, at planning time, and kept in the outbox payload (`window`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from handlers import escalation
from handlers.assignment import ROLE_LABELS
from handlers.case_lifecycle import CaseTransitioned
from handlers.case_opening import CATEGORY_LABELS, KIND_LABELS
from handlers.deadlines import DEADLINE_LABELS, DeadlineBreached, DeadlineWarning
from handlers.timezone import local, short_time

TEMPLATE_KEYWORD_LIMIT = 20  # WeChat drops template keywords longer than this
# WeChat allows customer-service messages for 48 h after the resident's last message; an hour is kept
# in hand because the outbox may send a little later than planned.
CUSTOMER_SERVICE_WINDOW = timedelta(hours=47)
RATE_PROMPT = "请给这次服务打个分：回复1到5星，比如“5星”或“满意”；不满意也请直接告诉我们。"


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
    window: str | None = None  # residents only: "open" (text) or "closed" (template) 48 h window


def keyword(value: str, limit: int = TEMPLATE_KEYWORD_LIMIT) -> str:
    """One template keyword: single line, at most `limit` characters (…-shortened)."""
    flat = " ".join(str(value).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def case_summary(case) -> str:
    label = CATEGORY_LABELS.get(case.category or "", "") or KIND_LABELS.get(case.kind, "")
    return f"{label}·{case.description}" if label else case.description


def _when(at: datetime | None) -> str:
    return f"{local(at):%Y-%m-%d %H:%M}" if at else "尽快"


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# -- workers ------------------------------------------------------------------------------------
def _staff_template(case, openid: str, template: str, fields: dict, key: str) -> PushRequest:
    return PushRequest(
        openid=openid, kind="template", template=template, dedupe_key=f"case:{case.number}:{key}:{openid}",
        fields={name: keyword(value) for name, value in fields.items()}, link_case=case.number, case_id=case.id,
    )


def _assigned(case, event: CaseTransitioned, openid: str, template: str) -> PushRequest:
    return _staff_template(case, openid, template, {
        "case_no": case.number,
        "summary": case_summary(case),
        "location": f"{case.community.name}{case.location_label}",
        "deadline": _when(case.accept_due_at or case.resolve_due_at),
    }, f"event:{event.event.id}")


def _update(case, event_key: str, openid: str, status: str, detail: str, at: datetime) -> PushRequest:
    return _staff_template(case, openid, "case_update",
                           {"case_no": case.number, "status": status, "detail": detail, "time": _when(at)}, event_key)


def _supervised(case, event_key: str, openid: str, reason: str) -> PushRequest:
    handler = case.assignee.name if case.assignee is not None else "待派单"
    return _staff_template(case, openid, "case_supervised", {
        "case_no": case.number, "summary": case_summary(case), "reason": reason, "handler": handler,
    }, event_key)


def _handlers_of(case, uow) -> list:
    """Whoever holds the case now: its assignee, or every volunteer an errand is offered to."""
    if case.assignee is not None:
        return [case.assignee]
    return [s for s in (uow.directory.staff(i) for i in (case.details or {}).get("pool", [])) if s is not None]


# -- residents ----------------------------------------------------------------------------------
def to_resident(resident, at: datetime, dedupe: str, text: str, *, template: str, fields: dict[str, str],
                link_case: str | None = None, link_path: str | None = None,
                case_id: int | None = None) -> PushRequest | None:
    """A message for a resident: text inside WeChat's 48 h window, the template outside it (which
    needs them to follow the account). None when neither can reach them."""
    if resident is None:
        return None
    inside = resident.last_inbound_at is not None and at - resident.last_inbound_at < CUSTOMER_SERVICE_WINDOW
    if inside:
        return PushRequest(openid=resident.openid, kind="text", dedupe_key=dedupe, text=text, case_id=case_id,
                           window="open")
    if not resident.subscribed:
        return None
    return PushRequest(openid=resident.openid, kind="template", template=template, dedupe_key=dedupe,
                       fields={k: keyword(v) for k, v in fields.items()}, link_case=link_case, link_path=link_path,
                       case_id=case_id, window="closed")


def resident_push(case, resident, at: datetime, key: str, text: str, status: str, detail: str) -> PushRequest | None:
    """A case update for a resident: text inside WeChat's 48 h window, a template outside it."""
    if resident is None:
        return None
    return to_resident(
        resident, at, f"case:{case.number}:{key}:{resident.openid}", text, template="case_progress",
        fields={"case_no": case.number, "status": keyword(status, 5), "detail": detail, "time": _when(at)},
        link_case=case.number, case_id=case.id,
    )


def _to_residents(case, event: CaseTransitioned, uow, *, reporter_text: str, follower_text: str, status: str,
                  detail: str, include_reporter: bool = True) -> list[PushRequest]:
    key, at = f"event:{event.event.id}", event.event.at
    found = [resident_push(case, case.reporter, at, key, reporter_text, status, detail)] if include_reporter else []
    found += [resident_push(case, r, at, key, follower_text, status, detail) for r in uow.followers.of_case(case.id)]
    return [p for p in found if p is not None]


def _handler_label(case) -> str:
    if case.assignee is None:
        return "附近的志愿者"
    if case.team is not None:
        return f"{case.team.name} {case.assignee.name}"
    return f"{ROLE_LABELS.get(case.assignee.role, '')}{case.assignee.name}"


# -- planning -----------------------------------------------------------------------------------
def plan(event, uow) -> list[PushRequest]:
    """The pushes one domain event calls for."""
    if isinstance(event, DeadlineWarning):
        return _plan_warning(event, uow)
    if isinstance(event, DeadlineBreached):
        return _plan_breach(event, uow)
    if isinstance(event, CaseTransitioned):
        planner = _PLANNERS.get(event.action)
        return planner(event, uow) if planner else []
    return []


def _plan_dispatch(event: CaseTransitioned, uow) -> list[PushRequest]:
    case = event.case
    details = case.details or {}
    recipients = [case.assignee] if case.assignee is not None else []
    recipients += [uow.directory.staff(i) for i in details.get("helpers", [])]
    template = "case_assigned"
    if case.assignee is None:
        recipients, template = [uow.directory.staff(i) for i in details.get("pool", [])], "errand_offered"
    pushes = [_assigned(case, event, staff.openid, template) for staff in recipients if staff is not None]
    previous = uow.directory.staff(details["transferred_from"]) if details.get("transferred_from") else None
    if event.action == "transfer" and previous is not None and previous.openid != event.event.actor_openid:
        # Taken off a case by someone else: say so, so nobody turns up at the door for nothing.
        pushes.append(_update(case, f"event:{event.event.id}", previous.openid, "已转派",
                              f"已改由{_handler_label(case)}办理", event.event.at))
    # At opening, and on a rework the reporter just asked for, the reply to their own message already
    # said who has the case; other (re)dispatches are news to them.
    at_opening = event.from_state == "registered" and event.event.at == case.created_at
    earlier = case.events[-2] if len(case.events) >= 2 else None
    asked_for_rework = (earlier is not None and earlier.action == "reopen" and earlier.actor_kind == "resident"
                        and earlier.at == event.event.at)
    if not at_opening:
        when = short_time(case.accept_due_at, now=event.event.at) if case.accept_due_at else "尽快"
        text = f"您的工单 {case.number} 已交给{_handler_label(case)}办理，{when}前会联系您。"
        pushes += _to_residents(case, event, uow, reporter_text=text, follower_text=text, status="已派单",
                                detail=_handler_label(case), include_reporter=not asked_for_rework)
    return pushes


def _plan_accept(event: CaseTransitioned, uow) -> list[PushRequest]:
    case = event.case
    who = case.assignee.name if case.assignee else event.event.actor_name
    if case.kind == "errand":
        text = f"志愿者{who}已接下您的跑腿（工单 {case.number}），会尽快联系您。"
    else:
        text = f"{_handler_label(case)}已签收您的工单 {case.number}，正在处理，请留意来电。"
    pushes = _to_residents(case, event, uow, reporter_text=text, follower_text=text, status="已签收",
                           detail=f"{who}正在处理")
    # An errand offered to a pool: the other volunteers are told it is taken, so nobody sets off for nothing.
    for staff_id in (case.details or {}).get("pool", []) if event.from_state == "dispatched" else ():
        if staff_id != case.assignee_id and (staff := uow.directory.staff(staff_id)) is not None:
            pushes.append(_update(case, f"event:{event.event.id}", staff.openid, "已被接单",
                                  f"志愿者{who}已接单，谢谢您", event.event.at))
    return pushes


def _plan_resolve(event: CaseTransitioned, uow) -> list[PushRequest]:
    case = event.case
    result = (case.details or {}).get("result") or event.event.note
    return _to_residents(
        case, event, uow,
        reporter_text=f"您的工单 {case.number} 已办结：{_short(result, 80)}\n{RATE_PROMPT}",
        follower_text=f"您关注的工单 {case.number} 已办结：{_short(result, 80)}",
        status="已办结", detail=f"{result}（请评价）",
    )


def _plan_reject(event: CaseTransitioned, uow) -> list[PushRequest]:
    case = event.case
    original = case.duplicate_of
    if original is None:
        text = f"您的工单 {case.number} 经核实不予立案：{_short(event.event.note, 60)}。如有疑问请联系社区。"
        return _to_residents(case, event, uow, reporter_text=text, follower_text=text, status="不予立案",
                             detail=event.event.note)
    if case.reporter_id is not None and case.reporter_id == original.reporter_id:
        text = f"这个问题您之前已经报过了（工单 {original.number}），我们正在处理，进展会及时告诉您。"
    else:
        text = f"您反映的问题邻居已经报过了（工单 {original.number}），我们已合并办理，进展会同步告诉您。"
    push = resident_push(original, case.reporter, event.event.at, f"merged:{case.number}", text, "已合并",
                     f"并入{original.number}")
    return [push] if push else []


def _plan_return(event: CaseTransitioned, uow) -> list[PushRequest]:
    case = event.case
    people = list(uow.directory.staff_for_grid(case.grid_id, role="grid_worker"))
    people += [s for s in uow.directory.escalation_contacts(case.community_id, "community") if s not in people]
    detail = f"{event.event.actor_name}退回：{event.event.note}，请重新派单"
    return [_update(case, f"event:{event.event.id}", s.openid, "已退回", detail, event.event.at) for s in people]


def _plan_escalate(event: CaseTransitioned, uow) -> list[PushRequest]:
    case = event.case
    key = f"event:{event.event.id}"
    people = escalation.contacts(case, uow)
    people += [s for s in _handlers_of(case, uow) if s not in people]  # 督办 presses the handler too
    return [_supervised(case, key, s.openid, event.event.note) for s in people]


def _plan_cancel(event: CaseTransitioned, uow) -> list[PushRequest]:
    case = event.case
    return [_update(case, f"event:{event.event.id}", s.openid, "已取消", event.event.note or "居民已取消",
                    event.event.at) for s in _handlers_of(case, uow)]


def _plan_warning(event: DeadlineWarning, uow) -> list[PushRequest]:
    case = event.case
    key = f"warn:{event.deadline}:{local(event.due_at):%Y%m%d%H%M}"
    label = DEADLINE_LABELS[event.deadline]
    return [
        _staff_template(case, s.openid, "deadline_warning", {
            "case_no": case.number, "summary": case_summary(case), "deadline_kind": f"{label}时限",
            "deadline": _when(event.due_at),
        }, key)
        for s in _handlers_of(case, uow)
    ]


def _plan_breach(event: DeadlineBreached, uow) -> list[PushRequest]:
    if event.escalated:
        return []  # the escalate transition already told the next level
    case = event.case
    key = f"breach:{event.deadline}:{local(event.due_at):%Y%m%d%H%M}"
    reason = f"超过{DEADLINE_LABELS[event.deadline]}时限"
    return [_supervised(case, key, s.openid, reason) for s in escalation.contacts(case, uow)]


_PLANNERS = {
    "dispatch": _plan_dispatch, "transfer": _plan_dispatch, "accept": _plan_accept, "resolve": _plan_resolve,
    "reject": _plan_reject, "return": _plan_return, "escalate": _plan_escalate, "cancel": _plan_cancel,
}


def publish(events: list, uow) -> None:
    """Unit-of-work publisher: turn recorded domain events into outbox rows in the same transaction."""
    for event in events:
        at = event.event.at if isinstance(event, CaseTransitioned) else getattr(event, "at", None)
        for push in plan(event, uow):
            enqueue(push, uow, now=at)


def enqueue(push: PushRequest, uow, *, now, due_at=None, expires_at=None) -> bool:
    """Write the push to the outbox (sent when due; dropped if still unsent at `expires_at`)."""
    payload = {"template": push.template, "fields": push.fields, "link_case": push.link_case,
               "link_path": push.link_path, "text": push.text, "window": push.window}
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
