"""One resident message as the domain sees it, and what a handler gives back."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from handlers.settings import DomainSettings
from nlu import Understanding
from storage.models import DialogueState, Resident


@dataclass
class Turn:
    resident: Resident
    text: str
    understanding: Understanding | None
    now: datetime
    state: DialogueState  # loaded with a lock; the form engine changes it, bot.dialogue commits it
    settings: DomainSettings
    msg_type: str = "text"
    media: dict = field(default_factory=dict)  # image: media_id/pic_url; location: lat/lng


@dataclass(frozen=True)
class Outcome:
    """What the resident is told now (passive reply); pushes travel through the outbox."""

    reply: str | None
