"""Following and unfollowing the account. Unfollowing deletes the resident's personal data."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, update

from handlers import registration
from handlers.smalltalk import welcome
from handlers.turn import Outcome, Turn
from storage.models import Case, DialogueState, InboundMessage, OutboxMessage

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork


def subscribed(turn: Turn, uow: "UnitOfWork") -> Outcome:
    """Welcome; and when we do not know where the resident lives, ask (answering is optional)."""
    turn.resident.subscribed = True
    reply = welcome(turn, uow).reply
    question = registration.ask_after_welcome(turn)
    return Outcome(f"{reply}\n\n{question}" if question else reply)


def forget_resident(openid: str, uow: "UnitOfWork", *, now: datetime) -> None:
    """Delete what identifies the resident; their cases stay, without a reporter, for the record."""
    resident = uow.residents.get(openid)
    session = uow.session
    if resident is not None:
        session.execute(update(Case).where(Case.reporter_id == resident.id).values(reporter_id=None))
        session.delete(resident)
    session.execute(delete(DialogueState).where(DialogueState.openid == openid))
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.openid == openid, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        .values(failed_at=now, last_error="居民已取消关注")
    )
    # Keep this delivery's own row (other inbound rows go): it answers a retried unsubscribe.
    session.execute(
        delete(InboundMessage).where(InboundMessage.openid == openid, InboundMessage.msg_type != "event:unsubscribe")
    )
