"""One resident message in, one reply out: de-duplicate, understand, route, commit once."""
from __future__ import annotations

import logging
import time

from sqlalchemy.exc import OperationalError

from bot.inbound import InboundMessage
from handlers import routing, smalltalk, subscription
from handlers.turn import Outcome, Turn

log = logging.getLogger(__name__)

APOLOGY = "抱歉，系统刚才开了个小差，请稍后再发一次。"
UNSUPPORTED = "这类消息我还看不懂，请直接打字或按住说话告诉我您的需要。"
RETRIED_TRANSACTIONS = 3


class Dialogue:
    def __init__(self, services):
        self.services = services

    def handle(self, inbound: InboundMessage) -> str | None:
        """The reply text for this delivery (None: nothing to say). A retry gets the first reply."""
        earlier = self._earlier_reply(inbound.dedupe_key)
        if earlier is not None:
            return earlier.get("text")
        understanding = self._understand(inbound)
        for attempt in range(1, RETRIED_TRANSACTIONS + 1):
            try:
                return self._handle_once(inbound, understanding)
            except OperationalError:
                # PostgreSQL deadlock/serialization or SQLite busy beyond the timeout: try again.
                if attempt == RETRIED_TRANSACTIONS:
                    raise
                log.warning("dialogue.retry_transaction attempt=%s", attempt)
                time.sleep(0.05 * attempt)
        return None

    def _earlier_reply(self, key: str) -> dict | None:
        with self.services.uow() as uow:
            row = uow.inbound.get(key)
            return (row.reply or {}) if row is not None else None

    def _understand(self, inbound: InboundMessage):
        if not inbound.text.strip():
            return None
        try:
            return self.services.interpreter.parse(inbound.text, now=self.services.clock.now())
        except Exception:
            log.exception("nlu.failed msg_type=%s", inbound.msg_type)
            return None

    def _handle_once(self, inbound: InboundMessage, understanding) -> str | None:
        services = self.services
        with services.uow() as uow:
            now = services.clock.now()
            if not uow.inbound.claim(inbound.dedupe_key, openid=inbound.openid, msg_type=inbound.kind, now=now):
                uow.rollback()  # a concurrent retry got here first; answer what it answered
                return (self._earlier_reply(inbound.dedupe_key) or {}).get("text")
            if inbound.event == "unsubscribe":
                subscription.forget_resident(inbound.openid, uow, now=now)
                uow.commit()
                log.info("resident.unsubscribed")
                return None
            resident = uow.residents.get_or_create(inbound.openid, now=now)
            resident.last_inbound_at = now
            state = uow.dialogues.for_update(inbound.openid, now=now)
            turn = Turn(
                resident=resident, text=inbound.text.strip(), understanding=understanding, now=now, state=state,
                settings=services.settings.domain, msg_type=inbound.msg_type, media=dict(inbound.media),
            )
            outcome = self._route(inbound, turn, uow)
            state.updated_at = now
            uow.inbound.set_reply(inbound.dedupe_key, {"text": outcome.reply} if outcome.reply else {})
            uow.commit()
            log.info(
                "dialogue.handled msg_type=%s intent=%s form=%s",
                inbound.kind, getattr(understanding, "intent", None), state.form,
            )
            return outcome.reply

    def _route(self, inbound: InboundMessage, turn: Turn, uow) -> Outcome:
        if inbound.msg_type == "event":
            if inbound.event == "subscribe" or inbound.event == "subscribe_scan":
                return subscription.subscribed(turn, uow)
            if inbound.event == "click":
                return routing.menu_click(inbound.event_key, turn, uow)
            return Outcome(None)  # VIEW opens a page; WeChat shows no reply to other events
        if inbound.msg_type in ("text", "voice") and turn.text:
            return routing.route(turn, uow)
        if inbound.msg_type == "voice":
            return smalltalk.not_heard(turn, uow)
        if inbound.msg_type in ("image", "location"):
            return routing.attachment(turn, uow)
        return Outcome(UNSUPPORTED)
