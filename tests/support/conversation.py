"""A resident talking to the account through the real /wechat endpoint, one reply at a time.

Every reply is checked against WeChat's passive-reply limit, so no conversation test can pass on a
reply the callback would have had to cut.
"""
from __future__ import annotations

from bot.wechat_callback import MAX_REPLY_BYTES

REPLY_BUDGET = MAX_REPLY_BYTES - 300  # what is left for the text once the XML envelope is added


class Chat:
    def __init__(self, simulator):
        self.simulator = simulator
        self.replies: list[str] = []

    def _reply(self, result) -> str:
        assert result.status == 200, result.body
        reply = result.reply or ""
        assert len(reply.encode("utf-8")) <= REPLY_BUDGET, f"reply too long for WeChat: {reply!r}"
        self.replies.append(reply)
        return reply

    def say(self, text: str) -> str:
        return self._reply(self.simulator.text(text))

    def voice(self, recognition: str) -> str:
        return self._reply(self.simulator.voice(recognition))

    def image(self, media_id: str | None = None) -> str:
        return self._reply(self.simulator.image(media_id=media_id))

    def location(self, lat: float, lng: float, label: str = "") -> str:
        return self._reply(self.simulator.location(lat, lng, label))

    def click(self, key: str) -> str:
        return self._reply(self.simulator.event("CLICK", key))

    def subscribe(self) -> str:
        return self._reply(self.simulator.event("subscribe"))


def chat(wechat, openid: str) -> Chat:
    return Chat(wechat.as_user(openid))


def register(wechat, openid: str, address: str = "3号楼2单元501", phone: str | None = None) -> Chat:
    """A resident who told us where they live (新世纪社区) and, optionally, their phone."""
    resident = chat(wechat, openid)
    reply = resident.say(f"我住{address}" + (f"，电话{phone}" if phone else ""))
    if "回复数字" in reply:
        reply = resident.say("1")
    if "对吗" in reply:
        reply = resident.say("是")
    assert "已登记" in reply, reply
    return resident
