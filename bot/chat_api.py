"""GET /dev/pushes: the pushes delivered to one openid, so `linli chat` can show them.

Signed like WeChat's callback (token, timestamp, nonce): only someone holding WECHAT_TOKEN can read.
"""
from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify, request
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

bp = Blueprint("chat_api", __name__)
MAX_SKEW_SECONDS = 300


@bp.get("/dev/pushes")
def pushes():
    services = current_app.extensions["linli"]
    args = request.args
    try:
        check_signature(services.settings.wechat.token, args["signature"], args["timestamp"], args["nonce"])
        fresh = abs(time.time() - int(args["timestamp"])) <= MAX_SKEW_SECONDS
    except (KeyError, ValueError, InvalidSignatureException):
        fresh = False
    if not fresh:
        return jsonify(error="签名无效或已过期"), 403
    openid = args.get("openid", "")
    try:
        after = int(args.get("after", 0))
        recent = int(args["recent"]) if "recent" in args else None
    except ValueError:
        return jsonify(error="after 和 recent 必须是整数"), 400
    with services.uow() as uow:
        rows = uow.outbox.sent_to(openid, after_id=after, last=recent)
        items = [
            {"id": r.id, "kind": r.kind, "channel": r.channel, "payload": r.payload, "sent_at": r.sent_at.isoformat()}
            for r in rows
        ]
    return jsonify(pushes=items)
