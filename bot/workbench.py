"""The H5 workbench for the people who do the work: my cases, a case with its trail and the actions
allowed now (签收, 进展, 办结 with photo, 退回, 转派/派单, 上报), errands to grab, points, failed pushes.

Forms are POSTs with a CSRF token; a refused action is shown in Chinese (JSON callers get a 4xx with
the reason). Every change goes through handlers.case_actions, in one unit of work per request.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime
from pathlib import Path

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from bot.access import may_view, staff_actor
from bot.case_views import case_json
from bot.web import require_viewer, services
from handlers import case_actions, case_facts, overview
from handlers import case_lifecycle as lifecycle
from handlers.assignment import ROLE_LABELS
from handlers.case_lifecycle import OPEN_STATES, IllegalTransition, State
from handlers.deadlines import is_overdue
from handlers.escalation import level_label
from handlers.points import COMPLETED
from handlers.timezone import short_time

log = logging.getLogger(__name__)
bp = Blueprint("workbench", __name__, template_folder="templates")

OPEN = [s.value for s in OPEN_STATES]
STAFF_ROLES = lifecycle.STAFF_ROLES
SUPERVISORS = STAFF_ROLES | {"grid_leader"}
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# Buttons in the order a worker needs them, with the Chinese a worker reads.
ACTION_BUTTONS = (
    ("accept", "签收"), ("note", "记进展"), ("resolve", "办结"), ("return", "退回"), ("transfer", "转派"),
    ("dispatch", "派单"), ("escalate", "上报"), ("reject", "不予立案"),
)


class Refused(Exception):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


@bp.app_context_processor
def _template_helpers():
    return {"csrf_token": generate_csrf, "role_label": lambda role: ROLE_LABELS.get(role, role)}


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _me(uow):
    """The signed-in staff member (a resident may only look at their own cases)."""
    openid = require_viewer()
    staff = uow.directory.staff_by_openid(openid)
    return openid, (staff if staff is not None and staff.active else None)


def _row(case, now: datetime) -> dict:
    due = case.accept_due_at or case.resolve_due_at
    return {
        "no": case.number, "state": case.state, "state_label": lifecycle.STATE_LABELS[State(case.state)],
        "summary": case.description[:40], "place": f"{case.community.name}{case.location_label}",
        "due": short_time(due, now=now) if due else "", "overdue": is_overdue(case, now),
        "due_label": "签收" if case.accept_due_at else "办结",
    }


@bp.get("/w/")
def home():
    with services().uow() as uow:
        now = services().clock.now()
        openid, staff = _me(uow)
        if staff is None:
            abort(403, description="这里是工作人员的工作台。居民请在公众号里直接发消息。")
        mine = uow.cases.open_cases(open_states=OPEN, assignee_id=staff.id)
        sections = [
            ("新派给我", [c for c in mine if c.state in (State.DISPATCHED, State.ESCALATED) and c.accept_due_at]),
            ("处理中", [c for c in mine if c.state == State.IN_PROGRESS
                        or (c.state == State.ESCALATED and not c.accept_due_at)]),
        ]
        grab = []
        if staff.role == "volunteer":
            grid_ids = [g.id for g in staff.grids]
            offered = uow.cases.open_cases(open_states=[State.DISPATCHED.value], grid_ids=grid_ids, kind="errand",
                                           unassigned=True)
            grab = [c for c in offered if staff.id in (c.details or {}).get("pool", [])]
            sections.insert(0, ("可抢的跑腿", grab))
        if staff.role == "mediator":
            disputes = uow.cases.open_cases(open_states=OPEN, grid_ids=[g.id for g in staff.grids], kind="dispute")
            sections.append(("协助调解", [c for c in disputes if staff.id in (c.details or {}).get("helpers", [])]))
        watched = []
        if staff.role in ("grid_worker", "grid_leader"):
            watched = uow.cases.open_cases(open_states=OPEN, grid_ids=[g.id for g in staff.grids])
        elif staff.role in STAFF_ROLES:
            watched = uow.cases.open_cases(open_states=OPEN, community_id=staff.community_id)
        if watched:
            sections.append(("待派单", [c for c in watched if c.state in (State.REGISTERED, State.RETURNED, State.REOPENED)]))
            sections.append(("督办中", [c for c in watched if c.state == State.ESCALATED]))
        overdue = [c for c in {c.id: c for c in mine + watched}.values() if is_overdue(c, now)]
        sections.insert(0, ("已超时", overdue))
        context = {
            "me": staff, "sections": [(title, [_row(c, now) for c in cases]) for title, cases in sections],
            "is_volunteer": staff.role == "volunteer", "is_supervisor": staff.role in SUPERVISORS,
        }
        return render_template("workbench/home.html", **context)


def _load_case(uow, case_no: str):
    openid, staff = _me(uow)
    case = uow.cases.by_number(case_no)
    if case is None:
        raise Refused("没有这个工单。", 404)
    followers = frozenset(r.openid for r in uow.followers.of_case(case.id)) if staff is None else frozenset()
    if not may_view(case, openid, staff, followers=followers):
        raise Refused("您没有查看这个工单的权限。", 403)
    return case, staff


def _candidates(case, staff, uow) -> list:
    people = [s for s in uow.directory.staff_of_community(case.community_id)
              if s.role in ("butler", "grid_worker", "mediator", "volunteer") and s.id != case.assignee_id]
    return sorted(people, key=lambda s: (s.role != "butler" or s.team_id != case.team_id, s.role, s.id))


def _photos(case) -> list[str]:
    """Photo URLs of a case: the resident's (WeChat pic_url or media) and the handler's result photos."""
    details = case.details or {}
    found = []
    for item in list(details.get("photos", [])) + list(details.get("result_photos", [])):
        url = item.get("pic_url") or item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url.startswith(("http://", "https://", "/w/photos/")):
            found.append(url)
    return found


def _render_case(uow, case, staff, *, error: str | None = None, status: int = 200):
    now = services().clock.now()
    actor = staff_actor(staff) if staff is not None else None
    allowed = set(lifecycle.available_actions(case, actor)) if actor else set()
    if case.state == State.ESCALATED and not case.accept_due_at:
        allowed.discard("accept")  # escalated after 签收: the handler goes on to 办结
    if case.state == State.ESCALATED and case.accept_due_at:
        allowed.discard("resolve")  # not yet accepted: 签收 first
    if "cancel" in allowed:
        allowed.discard("cancel")  # cancelling is the resident's (or staff's, by phone) call
    buttons = [(action, label) for action, label in ACTION_BUTTONS if action in allowed]
    view = case_json(case)
    context = {
        "case": view, "buttons": buttons, "error": error, "overdue": is_overdue(case, now),
        "level": level_label(case), "photos": _photos(case),
        "candidates": _candidates(case, staff, uow) if {"transfer", "dispatch"} & allowed else [],
        "grab": case.assignee_id is None and "accept" in allowed, "me": staff,
        "result": (case.details or {}).get("result"),
        "facts": case_facts.facts(case) if staff is not None else [],  # never the reporter's phone to a follower
    }
    return render_template("workbench/case.html", **context), status


def _refused(error: Refused):
    if _wants_json():
        return jsonify(error=str(error)), error.status
    return render_template("workbench/message.html", message=str(error)), error.status


@bp.get("/w/cases/<case_no>")
def case_page(case_no: str):
    with services().uow() as uow:
        try:
            case, staff = _load_case(uow, case_no)
        except Refused as error:
            return _refused(error)
        if _wants_json():
            facts = dict(case_facts.facts(case)) if staff is not None else {}
            return jsonify(case=case_json(case), facts=facts)
        return _render_case(uow, case, staff)


def _save_photo(case_no: str) -> str | None:
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    extension = PHOTO_TYPES.get(upload.mimetype)
    if extension is None:
        raise Refused("照片只能是 JPG、PNG 或 WEBP 格式", 400)
    folder = Path(services().settings.var_dir) / "uploads" / case_no
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{extension}"
    upload.save(folder / name)
    return url_for("workbench.photo", case_no=case_no, name=name)


def _perform(action: str, case, staff, uow, form) -> str:
    """Run one action; the flash message to show. IllegalTransition carries the reason to refuse."""
    if staff is None:
        raise Refused("只有工作人员可以办理工单。", 403)
    settings = services().settings.domain
    now = services().clock.now()
    actor = staff_actor(staff)
    text = (form.get("text") or "").strip()[:500]
    if action == "accept":
        grabbing = case.assignee_id is None
        case_actions.accept(case, actor, uow, at=now, note=text)
        return "抢单成功，谢谢您！" if grabbing else "已签收，请尽快处理。"
    if action == "note":
        case_actions.add_note(case, actor, text, uow, at=now)
        return "进展已记录。"
    if action == "resolve":
        if not text:
            raise IllegalTransition("请填写办理结果")
        if not lifecycle.can_apply(case, "resolve", actor):
            lifecycle.apply(case, "resolve", actor, at=now)  # refuses with the reason before a photo is kept
        photo = _save_photo(case.number)
        case_actions.resolve(case, actor, text, uow, at=now, photos=[photo] if photo else [], settings=settings)
        return "已办结，已请居民评价。辛苦了！"
    if action == "return":
        case_actions.return_case(case, actor, text, uow, at=now)
        return "已退回，网格员会重新派单。"
    if action in ("transfer", "dispatch"):
        try:
            to = uow.directory.staff(int(form.get("to", "")))
        except ValueError:
            to = None
        if to is None:
            raise IllegalTransition("请选择接手的人")
        case_actions.hand_over(case, actor, to, text, uow, settings, at=now)
        return f"已交给{to.name}。"
    if action == "reject":
        case_actions.reject(case, actor, text, uow, at=now)
        return "已不予立案，居民会收到说明。"
    if action == "escalate":
        case_actions.escalate(case, actor, text, uow, at=now)
        return f"已上报{level_label(case)}督办。"
    raise Refused("没有这个操作。", 404)


@bp.post("/w/cases/<case_no>/<action>")
def act(case_no: str, action: str):
    try:
        validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"))
    except ValidationError:
        return _refused(Refused("页面已过期，请刷新后再试。", 400))
    with services().uow() as uow:
        try:
            case, staff = _load_case(uow, case_no)
            done = _perform(action, case, staff, uow, request.form)
        except Refused as error:
            return _refused(error)
        except IllegalTransition as refused:
            uow.rollback()
            log.info("workbench.refused case=%s action=%s", case_no, action)
            if _wants_json():
                return jsonify(error=str(refused)), 409
            case, staff = _load_case(uow, case_no)
            return _render_case(uow, case, staff, error=str(refused), status=409)
        uow.commit()
        log.info("workbench.done case=%s action=%s state=%s", case_no, action, case.state)
        if _wants_json():
            return jsonify(case=case_json(case), message=done)
    return redirect(url_for("workbench.case_page", case_no=case_no, done=done))


@bp.get("/w/photos/<case_no>/<name>")
def photo(case_no: str, name: str):
    with services().uow() as uow:
        try:
            _load_case(uow, case_no)
        except Refused as error:
            return _refused(error)
    folder = (Path(services().settings.var_dir) / "uploads" / case_no).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        abort(404, description="没有这张照片。")
    return send_file(path)


@bp.get("/w/points")
def points():
    """A volunteer's own points ledger."""
    with services().uow() as uow:
        _, staff = _me(uow)
        if staff is None:
            abort(403, description="只有志愿者和工作人员可以查看积分。")
        entries = uow.points.entries(staff.id)
        rows = [{"at": short_time(e.awarded_at), "points": e.points, "reason": e.reason,
                 "case": uow.cases.get(e.case_id).number if e.case_id else ""} for e in entries]
        return render_template("workbench/points.html", me=staff, total=uow.points.total(staff.id), rows=rows,
                               completed=sum(1 for e in entries if e.reason == COMPLETED))


def _require_supervisor(uow):
    _, staff = _me(uow)
    if staff is None or staff.role not in SUPERVISORS:
        abort(403, description="只有社区、街道工作人员和网格长可以查看。")
    return staff


@bp.get("/w/staff/points")
def staff_points():
    """Every volunteer's points (双积分) in the viewer's community (the whole street for street staff)."""
    with services().uow() as uow:
        staff = _require_supervisor(uow)
        totals = uow.points.totals(staff.community_id)
        return render_template("workbench/staff_points.html", me=staff, totals=totals)


@bp.get("/w/staff/overview")
def staff_overview():
    """考核总览: a month of the closed loop per community, and what each grid has open now."""
    with services().uow() as uow:
        staff = _require_supervisor(uow)
        now = services().clock.now()
        try:
            first = overview.month_of(request.args.get("month"), now)
        except overview.BadMonth as error:
            return _refused(Refused(str(error), 400))
        scope = None if staff.role == "street_staff" else staff.community_id
        communities = overview.month_overview(uow, first, now=now, community_id=scope)
        if _wants_json():
            return jsonify(month=f"{first:%Y-%m}", communities=[vars(c) for c in communities])
        return render_template("workbench/overview.html", me=staff, month=first, communities=communities)


@bp.get("/w/staff/pushes")
def failed_pushes():
    """Pushes WeChat refused for good (not following, outside the window, …): staff follow up by phone."""
    with services().uow() as uow:
        staff = _require_supervisor(uow)
        failed = uow.outbox.failed(limit=200, community_id=staff.community_id)
        rows = []
        for push in failed:
            case = uow.cases.get(push.case_id) if push.case_id else None
            person = uow.directory.staff_by_openid(push.openid)
            who = person.name if person else "居民"
            rows.append({"at": short_time(push.failed_at), "who": who, "case": case.number if case else "",
                         "kind": "模板消息" if push.kind == "template" else "客服消息", "error": push.last_error or ""})
        counts = uow.outbox.status_counts(community_id=staff.community_id)
        if _wants_json():
            return jsonify(counts=counts, failed=rows)
        return render_template("workbench/failed_pushes.html", me=staff, rows=rows, counts=counts)


def error_page(error):
    """Refusals as a short Chinese page for people (JSON with the reason for programs)."""
    status = getattr(error, "code", 400) or 400
    message = getattr(error, "description", None) or "请求有误。"
    if status == 413:
        message = "照片太大了，请换一张小一点的（10MB 以内）。"
    return _refused(Refused(message, status))


for _status in (400, 403, 404, 405, 413):
    bp.register_error_handler(_status, error_page)
