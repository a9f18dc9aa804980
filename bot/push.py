"""The only module that sends to WeChat: template and customer-service messages from outbox rows."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from wechatpy.exceptions import WeChatClientException

from bot import links
from bot.settings import Settings
from bot.wechat_client import TOKEN_ERRORS, LinliWeChatClient

log = logging.getLogger(__name__)

# -1 system busy; 45009 daily API quota; 45011 API frequency limit: worth trying again later.
TRANSIENT_ERRORS = frozenset({-1, 45009, 45011, 45047})
# 43004 not following; 45015 outside the 48 h window; 40003 unknown openid; 43019 blocked us;
# 40037 / 47001 our template or data is wrong: trying again cannot help.
PERMANENT_ERRORS = frozenset({43004, 45015, 40003, 43019, 40037, 47001, 40036})


@dataclass(frozen=True)
class Push:
    """What the sender needs from an outbox row."""

    id: int
    openid: str
    kind: str
    payload: dict


class SendError(Exception):
    def __init__(self, message: str, *, permanent: bool, code: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class LogSender:
    """No WeChat credentials (development, `make run` offline): record the push and log it."""

    channel = "log"

    def send(self, push: Push) -> None:
        log.info(
            "push.logged outbox_id=%s openid=%s kind=%s template=%s case=%s",
            push.id, push.openid, push.kind, push.payload.get("template"), push.payload.get("link_case"),
        )


class WeChatSender:
    channel = "wechat"

    def __init__(self, settings: Settings, client: LinliWeChatClient):
        self.settings = settings
        self.client = client

    def send(self, push: Push) -> None:
        try:
            self._call_with_fresh_token(push)
        except WeChatClientException as error:
            code = error.errcode
            if code is None:  # HTTP-level failure from wechatpy
                raise SendError(f"HTTP 错误：{error.errmsg or error}", permanent=False) from error
            raise SendError(f"{code} {error.errmsg}", permanent=code in PERMANENT_ERRORS, code=code) from error
        except requests.RequestException as error:
            raise SendError(f"网络错误：{type(error).__name__}", permanent=False) from error

    def _call_with_fresh_token(self, push: Push) -> None:
        token = self.client.access_token
        try:
            self._call(push)
        except WeChatClientException as error:
            if error.errcode not in TOKEN_ERRORS:
                raise
            # One refresh, then one more try: wechatpy's own retry would loop without limit.
            log.info("push.token_refresh outbox_id=%s errcode=%s", push.id, error.errcode)
            self.client.refresh_token(stale=token)
            self._call(push)

    def _call(self, push: Push) -> None:
        payload = push.payload
        if push.kind == "text":
            self.client.message.send_text(push.openid, payload["text"])
            return
        template = self.settings.wechat.templates.get(payload["template"])
        if template is None:
            raise SendError(f"config.yaml 中没有模板 {payload['template']}", permanent=True)
        data = {
            template["fields"].get(name, name): {"value": value} for name, value in payload.get("fields", {}).items()
        }
        body = {"touser": push.openid, "template_id": template["template_id"], "data": data,
                "client_msg_id": f"linli-outbox-{push.id}"}
        if payload.get("link_case"):
            body["url"] = links.case_url(
                self.settings.public_base_url, self.settings.secret_key, payload["link_case"], push.openid
            )
        elif payload.get("link_path"):
            body["url"] = links.page_url(
                self.settings.public_base_url, self.settings.secret_key, payload["link_path"], push.openid
            )
        self.client.post("message/template/send", data=body)


def build_sender(settings: Settings):
    if not settings.wechat.can_push:
        return LogSender()
    redis = None
    if settings.redis_url:
        import redis as redis_lib

        redis = redis_lib.Redis.from_url(settings.redis_url, socket_timeout=2)
    client = LinliWeChatClient(
        settings.wechat.appid,
        settings.wechat.secret,
        api_base_url=settings.wechat.api_base_url,
        timeout=settings.wechat.timeout_seconds,
        redis=redis,
    )
    return WeChatSender(settings, client)
