"""What the NLU tells the rest of Linli about one message: the contract both backends return."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

# Contract names (DESIGN.md): tests, evaluation and handlers use these.
INTENTS = (
    "repair",
    "dispute",
    "errand",
    "consultation_signup",
    "query_status",
    "feedback",
    "cancel",
    "greet",
    "help",
    "affirm",
    "deny",
    "out_of_scope",
)
CATEGORIES = ("engineering", "cleaning", "greening", "order", "care")


@dataclass(frozen=True)
class Entities:
    """Normalised entities; every value is None when the message does not carry it."""

    building: str | None = None  # "3", "12": Arabic digits, without 号楼/栋
    unit: str | None = None  # "2", or a named unit such as "东"
    room: str | None = None  # "501"
    time: datetime | None = None  # timezone-aware, Asia/Shanghai
    phone: str | None = None  # "13812345678"

    @property
    def has_location(self) -> bool:
        return self.building is not None


@dataclass(frozen=True)
class Understanding:
    """One parsed message: best intent, how sure, the ranking, the repair category and entities."""

    text: str
    intent: str
    confidence: float
    confident: bool  # confidence >= the configured threshold
    category: str | None = None  # only for repair
    category_confidence: float | None = None
    ranking: tuple[tuple[str, float], ...] = ()
    entities: Entities = field(default_factory=Entities)
    backend: str = "embedded"


class Interpreter(Protocol):
    """Anything that turns text into an Understanding (embedded model, Rasa client, test fake)."""

    def parse(self, text: str, *, now: datetime | None = None) -> Understanding: ...
