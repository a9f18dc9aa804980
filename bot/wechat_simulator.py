"""Plays WeChat's server: signed (and optionally AES-encrypted) callback requests, like the real thing.

Used by `linli chat` against a running server and by the tests against the app.
"""
from __future__ import annotations

import itertools
import random
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

# (path with query, body bytes) -> (HTTP status, response text)
Transport = Callable[[str, bytes], tuple[int, str]]
_msg_ids = itertools.count(random.randrange(10**15, 10**16))


@dataclass(frozen=True)
class CallbackResult:
    status: int
    body: str
    reply: str | None  # the text reply, decrypted when the request was encrypted


def sign(token: str, timestamp: str, nonce: str, *extra: str) -> str:
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce, *extra)
    return signer.signature


def _nonce() -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=10))


class WeChatSimulator:
    MODES = ("plain", "compat", "aes")

    def __init__(
        self, transport: Transport, *, token: str, aes_key: str | None = None, appid: str | None = None,
        openid: str = "o_resident_demo", account: str = "gh_linli_demo", mode: str = "plain", path: str = "/wechat",
    ):
        if mode not in self.MODES:
            raise ValueError(f"mode must be one of {self.MODES}")
        if mode != "plain" and not (aes_key and appid):
            raise ValueError("encrypted modes need aes_key and appid")
        self.transport = transport
        self.token, self.openid, self.account, self.mode, self.path = token, openid, account, mode, path
        self.crypto = WeChatCrypto(token, aes_key, appid) if mode != "plain" else None

    # -- messages a resident sends -------------------------------------------------------
    def text(self, content: str, *, msg_id: int | None = None, create_time: int | None = None) -> CallbackResult:
        return self.send({"MsgType": "text", "Content": content}, msg_id=msg_id, create_time=create_time)

    def voice(self, recognition: str, *, msg_id: int | None = None) -> CallbackResult:
        fields = {"MsgType": "voice", "MediaId": f"media-{_nonce()}", "Format": "amr", "Recognition": recognition}
        return self.send(fields, msg_id=msg_id)

    def image(self, *, media_id: str | None = None, msg_id: int | None = None) -> CallbackResult:
        media_id = media_id or f"media-{_nonce()}"
        fields = {"MsgType": "image", "PicUrl": f"http://127.0.0.1/pic/{media_id}.jpg", "MediaId": media_id}
        return self.send(fields, msg_id=msg_id)

    def location(self, lat: float, lng: float, label: str = "", *, msg_id: int | None = None) -> CallbackResult:
        fields = {"MsgType": "location", "Location_X": str(lat), "Location_Y": str(lng), "Scale": "15", "Label": label}
        return self.send(fields, msg_id=msg_id)

    def event(self, event: str, key: str | None = None, *, create_time: int | None = None) -> CallbackResult:
        fields = {"MsgType": "event", "Event": event}
        if key is not None:
            fields["EventKey"] = key
        return self.send(fields, create_time=create_time)

    # -- the wire ------------------------------------------------------------------------
    def build_xml(self, fields: dict, *, msg_id: int | None, create_time: int | None = None) -> str:
        parts = {
            "ToUserName": self.account,
            "FromUserName": self.openid,
            "CreateTime": str(create_time or int(time.time())),
            **fields,
        }
        if msg_id is not None:
            parts["MsgId"] = str(msg_id)
        body = "".join(
            f"<{k}><![CDATA[{v}]]></{k}>" if k not in ("CreateTime", "MsgId") else f"<{k}>{escape(v)}</{k}>"
            for k, v in parts.items()
        )
        return f"<xml>{body}</xml>"

    def send(self, fields: dict, *, msg_id: int | None = None, create_time: int | None = None) -> CallbackResult:
        """Messages get a fresh MsgId unless one is given (a retry); events carry none, as in WeChat."""
        if msg_id is None and fields.get("MsgType") != "event":
            msg_id = next(_msg_ids)
        return self.post_raw(self.build_xml(fields, msg_id=msg_id, create_time=create_time))

    def post_raw(self, plain_xml: str | bytes, *, signature: str | None = None) -> CallbackResult:
        """POST a body as WeChat would in this mode (encrypting it in compat and aes modes)."""
        timestamp, nonce = str(int(time.time())), _nonce()
        query = {"timestamp": timestamp, "nonce": nonce, "openid": self.openid}
        query["signature"] = signature or sign(self.token, timestamp, nonce)
        body = plain_xml.encode("utf-8") if isinstance(plain_xml, str) else plain_xml
        if self.crypto is not None:
            envelope = xmltodict.parse(self.crypto.encrypt_message(body.decode("utf-8"), nonce, timestamp))["xml"]
            query.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
            encrypted = f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt>"
            if self.mode == "compat":  # compatible mode sends plaintext and ciphertext side by side
                body = body.decode("utf-8").replace("</xml>", encrypted + "</xml>").encode("utf-8")
            else:
                body = f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>{encrypted}</xml>".encode("utf-8")
        status, text = self.transport(f"{self.path}?{urlencode(query)}", body)
        return CallbackResult(status, text, self._read_reply(status, text))

    def _read_reply(self, status: int, text: str) -> str | None:
        if status != 200 or not text.strip().startswith("<xml"):
            return None
        xml = text
        if self.crypto is not None:
            envelope = xmltodict.parse(text)["xml"]
            xml = self.crypto.decrypt_message(
                text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
            )
        reply = xmltodict.parse(xml)["xml"]
        return reply.get("Content")


def http_transport(base_url: str, *, timeout: float = 10.0) -> Transport:
    import requests

    session = requests.Session()

    def post(path: str, body: bytes) -> tuple[int, str]:
        response = session.post(base_url.rstrip("/") + path, data=body, timeout=timeout,
                                headers={"Content-Type": "text/xml"})
        return response.status_code, response.content.decode("utf-8", errors="replace")

    return post
