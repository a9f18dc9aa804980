"""A WeChat delivery reduced to what Linli needs, with the key that makes retries harmless."""
from __future__ import annotations

from dataclasses import dataclass, field

MAX_TEXT_CHARS = 600  # longer messages are cut before the NLU sees them


@dataclass(frozen=True)
class InboundMessage:
    openid: str
    msg_type: str  # text | image | voice | location | link | video | event | …
    create_time: int
    msg_id: str | None = None
    text: str = ""
    event: str | None = None  # subscribe | unsubscribe | click | view | …
    event_key: str | None = None
    media: dict = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        """MsgId for messages; FromUserName+CreateTime (+event) for events, which carry no MsgId."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.openid}:{self.create_time}:{self.event or self.msg_type}"

    @property
    def kind(self) -> str:
        """msg_type, or event:<name> for events: what the inbound log records."""
        return f"event:{self.event}" if self.msg_type == "event" else self.msg_type


def from_wechatpy(message) -> InboundMessage:
    """Build from a parsed wechatpy message or event (the only place that knows wechatpy's classes)."""
    msg_type = getattr(message, "type", "unknown") or "unknown"
    openid = getattr(message, "source", "") or ""
    create_time = int(getattr(message, "time", 0) or 0)
    msg_id = getattr(message, "id", None)
    common = {"openid": openid, "create_time": create_time, "msg_id": str(msg_id) if msg_id else None}
    if msg_type == "text":
        return InboundMessage(msg_type="text", text=(message.content or "")[:MAX_TEXT_CHARS], **common)
    if msg_type == "voice":
        recognition = (getattr(message, "recognition", None) or "")[:MAX_TEXT_CHARS]
        return InboundMessage(msg_type="voice", text=recognition, media={"media_id": message.media_id}, **common)
    if msg_type == "image":
        return InboundMessage(
            msg_type="image", media={"media_id": message.media_id, "pic_url": message.image}, **common
        )
    if msg_type == "location":
        return InboundMessage(
            msg_type="location",
            media={"lat": message.location_x, "lng": message.location_y, "label": message.label},
            **common,
        )
    if msg_type == "event":
        event = (getattr(message, "event", "") or "").lower()
        key = getattr(message, "key", None) or getattr(message, "url", None)
        return InboundMessage(msg_type="event", event=event, event_key=key, **{**common, "msg_id": None})
    return InboundMessage(msg_type=msg_type, **common)
