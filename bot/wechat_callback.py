"""POST /wechat: verify, decrypt, parse, hand to the dialogue, answer in XML. Never a 500."""
from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, current_app, request
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from bot.dialogue import APOLOGY, Dialogue
from bot.inbound import from_wechatpy

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)

MAX_REPLY_BYTES = 2048  # WeChat drops passive replies longer than this


def _services():
    return current_app.extensions["linli"]


def _signature_ok() -> bool:
    args = request.args
    try:
        check_signature(_services().settings.wechat.token, args["signature"], args["timestamp"], args["nonce"])
    except (KeyError, InvalidSignatureException):
        return False
    return True


def _refuse() -> Response:
    log.warning("wechat.bad_signature remote=%s", request.remote_addr)
    return Response("signature mismatch", status=403, content_type="text/plain; charset=utf-8")


def _success() -> Response:
    return Response("success", content_type="text/plain")


@bp.get("/wechat")
def verify_url():
    """WeChat's server-address check: echo `echostr` when the signature is ours."""
    if not _signature_ok():
        return _refuse()
    return Response(request.args.get("echostr", ""), content_type="text/plain")


@bp.post("/wechat")
def receive():
    if not _signature_ok():
        return _refuse()
    wechat = _services().settings.wechat
    encrypted = request.args.get("encrypt_type", "raw").lower() == "aes"
    crypto = WeChatCrypto(wechat.token, wechat.aes_key, wechat.appid) if encrypted else None
    body = request.get_data()
    try:
        xml = body
        if crypto is not None:
            xml = crypto.decrypt_message(
                body, request.args.get("msg_signature", ""), request.args["timestamp"], request.args["nonce"]
            )
        message = parse_message(xml)
        if message is None:
            raise ValueError("empty body")
    except (InvalidSignatureException, InvalidAppIdException):
        return _refuse()
    except Exception as error:  # malformed XML, control characters, no MsgType, bad ciphertext
        log.warning("wechat.unparseable error=%s bytes=%s", type(error).__name__, len(body))
        return _success()
    try:
        reply_text = Dialogue(_services()).handle(from_wechatpy(message))
    except Exception:
        log.exception("wechat.handler_failed")
        reply_text = APOLOGY
    if not reply_text:
        return _success()
    return _render(message, reply_text, crypto)


def _render(message, text: str, crypto: WeChatCrypto | None) -> Response:
    text = fit_reply(text)
    xml = create_reply(text, message).render()
    if crypto is not None:
        xml = crypto.encrypt_message(xml, request.args.get("nonce", ""), str(int(time.time())))
    return Response(xml, content_type="application/xml; charset=utf-8")


def fit_reply(text: str, limit: int = MAX_REPLY_BYTES - 300) -> str:
    """Keep a passive reply within WeChat's 2048-byte limit (the XML envelope takes about 300)."""
    if len(text.encode("utf-8")) <= limit:
        return text
    suffix = "\n……(内容较长，已省略)"
    budget = limit - len(suffix.encode("utf-8"))
    cut = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return cut.rsplit("\n", 1)[0] + suffix if "\n" in cut else cut + suffix


@bp.errorhandler(Exception)
def _never_500(error):
    log.exception("wechat.unexpected")
    return _success()
