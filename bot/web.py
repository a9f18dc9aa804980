"""Who is looking at an H5 page: a signed, expiring link (pushes, local use, tests) or WeChat OAuth
(snsapi_base) in production; either way the openid is then kept in the Flask session."""
from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlparse

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wechatpy.exceptions import WeChatException
import requests

from bot import links

log = logging.getLogger(__name__)
bp = Blueprint("web", __name__, template_folder="templates")
SESSION_HOURS = 12
OAUTH_STATE_MAX_AGE = 600


@bp.record_once
def _configure(state) -> None:
    config = state.app.config
    config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=SESSION_HOURS))
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)  # a phone photo, with room to spare


def services():
    return current_app.extensions["linli"]


def _remember(openid: str) -> None:
    session.clear()
    session["openid"] = openid
    session.permanent = True


def viewer_openid() -> str | None:
    """The openid of the person looking: a valid `t` link token wins (and is remembered), then the session."""
    token = request.args.get("t")
    if token:
        openid = links.verify(services().settings.secret_key, token)
        if openid is not None:
            if session.get("openid") != openid:
                _remember(openid)
            return openid
    return session.get("openid")


def require_viewer() -> str:
    """The viewer's openid, or: inside WeChat, a trip through OAuth; elsewhere a 403 saying what to do."""
    openid = viewer_openid()
    if openid is not None:
        return openid
    settings = services().settings
    if request.method == "GET" and settings.wechat.can_push and "micromessenger" in request.user_agent.string.lower():
        abort(redirect(url_for("web.oauth_start", next=request.full_path)))
    abort(403, description="链接无效或已过期，请从微信消息重新打开。")


def _safe_next(target: str | None) -> str:
    parsed = urlparse(target or "")
    if parsed.scheme or parsed.netloc or not (target or "").startswith("/w/"):
        return url_for("workbench.home")  # never redirect off-site
    return target


@bp.get("/w/login")
def login():
    """A signed link (`linli` CLI, tests, pushes) opens a session and goes on to `next`."""
    if viewer_openid() is None or not request.args.get("t"):
        abort(403, description="链接无效或已过期，请从微信消息重新打开。")
    return redirect(_safe_next(request.args.get("next")))


def _state_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(services().settings.secret_key, salt="linli-oauth-state")


@bp.get("/w/oauth")
def oauth_start():
    from bot.wechat_client import oauth_authorize_url

    settings = services().settings
    state = _state_serializer().dumps(_safe_next(request.args.get("next")))
    callback = f"{settings.public_base_url}{url_for('web.oauth_callback')}"
    return redirect(oauth_authorize_url(settings.wechat.appid, callback, state))


@bp.get("/w/oauth/callback")
def oauth_callback():
    from bot.wechat_client import oauth_openid

    settings = services().settings
    code = request.args.get("code", "")
    try:
        target = _state_serializer().loads(request.args.get("state", ""), max_age=OAUTH_STATE_MAX_AGE)
    except BadSignature:
        abort(400, description="登录已过期，请从微信消息重新打开。")
    if not code:
        abort(400, description="微信没有给出授权，请重新打开页面。")
    try:
        openid = oauth_openid(settings.wechat.appid, settings.wechat.secret or "", code,
                              api_base_url=settings.wechat.api_base_url, timeout=settings.wechat.timeout_seconds)
    except (WeChatException, requests.RequestException, KeyError) as error:
        log.warning("web.oauth_failed error=%s", type(error).__name__)
        abort(403, description="微信登录没有成功，请稍后从微信消息重新打开。")
    _remember(openid)
    log.info("web.oauth_login")
    return redirect(_safe_next(target))


@bp.errorhandler(400)
@bp.errorhandler(403)
def _refused(error):
    from bot.workbench import error_page

    return error_page(error)


@bp.post("/w/logout")
def logout():
    session.clear()
    return redirect(url_for("workbench.home"))
