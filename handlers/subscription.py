"""Following and unfollowing the account. Unfollowing deletes the resident's personal data."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from handlers import registration
from handlers.smalltalk import welcome
from handlers.turn import Outcome, Turn

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
    uow.residents.forget(openid, now=now)
