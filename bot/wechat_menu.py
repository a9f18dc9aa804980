"""The account's custom menu: built from config.yaml (wechat.menu) and pushed with `linli wechat menu`."""
from __future__ import annotations

import logging

from wechatpy.exceptions import WeChatClientException

from bot.settings import Settings
from bot.wechat_client import TOKEN_ERRORS
from handlers.routing import MENU

log = logging.getLogger(__name__)

# WeChat's limits: 3 buttons of up to 5 entries; names of 16 bytes (top) and 60 bytes (entries).
MAX_BUTTONS, MAX_ENTRIES = 3, 5
TOP_NAME_BYTES, ENTRY_NAME_BYTES = 16, 60


class MenuError(ValueError):
    """The menu in config.yaml breaks WeChat's rules or names a key nothing handles; the message says where."""


def menu_payload(settings: Settings) -> dict:
    """The menu as WeChat's menu/create wants it: checked, with relative VIEW urls made absolute."""
    buttons = (settings.wechat.menu or {}).get("button") or []
    if not buttons:
        raise MenuError("config.yaml 中没有 wechat.menu.button")
    if len(buttons) > MAX_BUTTONS:
        raise MenuError(f"一级菜单最多 {MAX_BUTTONS} 个，现在有 {len(buttons)} 个")
    payload = []
    for button in buttons:
        name = _name(button, TOP_NAME_BYTES)
        entries = button.get("sub_button")
        if entries:
            if len(entries) > MAX_ENTRIES:
                raise MenuError(f"“{name}”下最多 {MAX_ENTRIES} 个子菜单，现在有 {len(entries)} 个")
            payload.append({"name": name, "sub_button": [_entry(e, settings, ENTRY_NAME_BYTES) for e in entries]})
        else:
            payload.append(_entry(button, settings, TOP_NAME_BYTES))
    return {"button": payload}


def _name(item: dict, limit: int) -> str:
    name = str(item.get("name") or "").strip()
    if not name or len(name.encode("utf-8")) > limit:
        raise MenuError(f"菜单名“{name}”为空或太长（最多 {limit} 字节，约 {limit // 3} 个汉字）")
    return name


def _entry(item: dict, settings: Settings, limit: int) -> dict:
    name, kind = _name(item, limit), str(item.get("type") or "").lower()
    if kind == "click":
        key = str(item.get("key") or "")
        if key.upper() not in MENU:
            raise MenuError(f"菜单“{name}”的 key {key!r} 没有对应的功能（可用：{', '.join(sorted(MENU))}）")
        return {"type": "click", "name": name, "key": key}
    if kind == "view":
        url = str(item.get("url") or "")
        if url.startswith("/"):
            url = settings.public_base_url + url
        if not url.startswith(("http://", "https://")):
            raise MenuError(f"菜单“{name}”的链接 {url!r} 不是网址")
        return {"type": "view", "name": name, "url": url}
    raise MenuError(f"菜单“{name}”的类型 {kind!r} 不支持（click 或 view）")


def push_menu(settings: Settings, sender=None) -> dict:
    """Create the menu through wechatpy's client (the one bot.push builds); one token refresh at most."""
    from bot.push import build_sender

    payload = menu_payload(settings)
    client = getattr(sender or build_sender(settings), "client", None)
    if client is None:
        raise MenuError("未配置 WECHAT_APPID / WECHAT_SECRET，无法推送菜单")
    token = client.access_token
    try:
        result = client.menu.create(payload)
    except WeChatClientException as error:
        if error.errcode not in TOKEN_ERRORS:
            raise MenuError(f"微信拒绝了菜单：{error.errcode} {error.errmsg}") from error
        client.refresh_token(stale=token)
        result = client.menu.create(payload)
    log.info("wechat.menu_pushed buttons=%s", len(payload["button"]))
    return result
