"""JSON API for staff to manage meetings: `Authorization: Bearer <token>` from `linli api-token`.

Community staff manage their own community's meetings; street staff any. Every refusal is a 4xx
with a Chinese reason.
"""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, current_app, jsonify, request

from bot import links
from bot.meeting_commands import meeting_json
from bot.meeting_times import parse_time
from handlers import meeting_admin
from handlers.meeting_admin import MeetingDraft, MeetingError

bp = Blueprint("meetings_api", __name__, url_prefix="/api")
STAFF_ROLES = ("community_staff", "street_staff")


def _services():
    return current_app.extensions["linli"]


def _staff(uow):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401, description="需要 Authorization: Bearer 令牌（linli api-token 生成）")
    openid = links.verify(_services().settings.secret_key, header.removeprefix("Bearer ").strip())
    if openid is None:
        abort(401, description="令牌无效或已过期")
    staff = uow.directory.staff_by_openid(openid)
    if staff is None or not staff.active or staff.role not in STAFF_ROLES:
        abort(403, description="只有社区或街道工作人员可以管理议事会")
    return staff


def _allowed(staff, community_id: int) -> None:
    if staff.role != "street_staff" and staff.community_id != community_id:
        abort(403, description="只能管理本社区的议事会")


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="请求体应为 JSON 对象")
    return body


def _draft(body: dict, **extra) -> MeetingDraft:
    try:
        return MeetingDraft(
            community=str(body["community"]), title=str(body["title"]), topic=str(body.get("topic", "")),
            place=str(body.get("place", "")), grid=body.get("grid"), minutes=int(body.get("minutes", 90)),
            capacity=int(body.get("capacity", 30)), **extra,
        )
    except KeyError as missing:
        abort(400, description=f"缺少字段 {missing.args[0]}")
    except (TypeError, ValueError):
        abort(400, description="minutes 和 capacity 应为整数")


def _act(action, status: int = 200):
    services = _services()
    with services.uow() as uow:
        staff = _staff(uow)
        try:
            result = action(uow, staff, services.clock.now())
        except MeetingError as error:
            return jsonify(error=str(error)), 400
        uow.commit()
        return jsonify(result), status


@bp.get("/meetings")
def list_meetings():
    def action(uow, staff, now):
        community_id = staff.community_id if staff.role != "street_staff" else None
        code = request.args.get("community")
        if code:
            found = uow.directory.community_by_code(code)
            if found is None:
                raise MeetingError(f"没有代码为 {code} 的社区")
            _allowed(staff, found.id)
            community_id = found.id
        items = list(uow.meetings.listed(community_id=community_id, after=now))
        taken = uow.meetings.seats_taken([m.id for m in items])
        return {"meetings": [meeting_json(m, taken.get(m.id, 0)) for m in items]}

    return _act(action)


@bp.post("/meetings")
def create_meeting():
    body = _body()

    def action(uow, staff, now):
        draft = replace(_draft(body), starts_at=parse_time(body.get("starts_at", "")))
        community = uow.directory.community_by_code(draft.community)
        if community is not None:
            _allowed(staff, community.id)
        return meeting_json(meeting_admin.create_meeting(draft, uow, now=now))

    return _act(action, 201)


@bp.post("/meeting-series")
def create_series():
    body = _body()

    def action(uow, staff, now):
        draft = _draft(body, key=body.get("key"), cron=body.get("cron"))
        community = uow.directory.community_by_code(draft.community)
        if community is not None:
            _allowed(staff, community.id)
        series = meeting_admin.create_series(draft, uow, _services().settings.domain, now=now)
        return {"key": series.key, "cron": series.cron, "title": series.title}

    return _act(action, 201)


def _meeting_for(uow, staff, meeting_id: int):
    meeting = uow.meetings.get(meeting_id)
    if meeting is None:
        abort(404, description=f"没有编号为 {meeting_id} 的议事会")
    _allowed(staff, meeting.community_id)
    return meeting


@bp.post("/meetings/<int:meeting_id>/cancel")
def cancel_meeting(meeting_id: int):
    body = _body()

    def action(uow, staff, now):
        _meeting_for(uow, staff, meeting_id)
        return {"told": meeting_admin.cancel_meeting(meeting_id, str(body.get("reason", "")), uow, now=now)}

    return _act(action)


@bp.post("/meetings/<int:meeting_id>/move")
def move_meeting(meeting_id: int):
    body = _body()

    def action(uow, staff, now):
        _meeting_for(uow, staff, meeting_id)
        told = meeting_admin.move_meeting(meeting_id, parse_time(body.get("starts_at", "")), uow,
                                          _services().settings.domain, now=now, place=body.get("place"))
        return {"told": told}

    return _act(action)


@bp.post("/meetings/<int:meeting_id>/outcome")
def record_outcome(meeting_id: int):
    body = _body()

    def action(uow, staff, now):
        _meeting_for(uow, staff, meeting_id)
        told = meeting_admin.record_outcome(meeting_id, str(body.get("outcome", "")), uow, now=now,
                                            send=bool(body.get("send", True)))
        return {"told": told}

    return _act(action)
