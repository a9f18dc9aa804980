"""One engine for every form: ask only for what is missing, keep answers in the dialogue row."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Callable

from handlers.turn import Outcome, Turn

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Ask:
    """A slot needs a (possibly numbered) answer before the form can go on."""

    prompt: str
    choices: tuple[str, ...] = ()  # labels shown as 1. 2. 3.; the answer's index comes back in `pending`
    pending: dict = field(default_factory=dict)  # what the slot needs to read the answer (kept in the row)

    def render(self) -> str:
        if not self.choices:
            return self.prompt
        lines = [self.prompt] + [f"{i}. {label}" for i, label in enumerate(self.choices, 1)]
        lines.append("回复数字即可")
        return "\n".join(lines)


# A slot filler reads the turn and the values so far and returns new values, an Ask, or None.
# `asked` is None unless this slot's question is the one being answered; then it is the Ask's
# `pending` data ({} for a plain question).
Filler = Callable[[Turn, dict, "dict | None", "UnitOfWork"], "dict | Ask | None"]


@dataclass(frozen=True)
class Slot:
    name: str
    prompt: str
    fill: Filler
    optional: bool = False


@dataclass(frozen=True)
class Form:
    name: str
    slots: tuple[Slot, ...]
    on_complete: Callable[[dict, Turn, "UnitOfWork"], Outcome]
    cancel_words: tuple[str, ...] = ("取消", "算了", "不报了", "不用了")
    cancel_reply: str = "好的，已取消。有需要随时再说。"
    expires_after: timedelta | None = None  # None: the dialogue default from settings
    max_asks: int = 3  # after this many unanswerable replies, stop asking and explain


FORMS: dict[str, Form] = {}


def register(form: Form) -> Form:
    if form.name in FORMS:
        raise ValueError(f"form {form.name!r} registered twice")
    FORMS[form.name] = form
    return form


def is_cancel(form: Form, text: str) -> bool:
    cleaned = text.strip().strip("。.!！~～ ")
    return any(cleaned == word or cleaned.startswith(word) for word in form.cancel_words)


def start(form: Form, turn: Turn, uow: "UnitOfWork") -> Outcome:
    """Open the form on this turn: fill what the message already says, ask for the rest."""
    turn.state.form = form.name
    turn.state.slots = {"values": {}, "asking": None, "pending": None, "asks": 0}
    return advance(form, turn, uow)


def advance(form: Form, turn: Turn, uow: "UnitOfWork") -> Outcome:
    """Feed this turn to the active form; complete it when nothing required is missing."""
    data = dict(turn.state.slots or {})
    values: dict[str, Any] = dict(data.get("values") or {})
    asking, pending = data.get("asking"), data.get("pending") or {}
    for slot in form.slots:
        if slot.name in values and slot.name != asking:
            continue
        result = slot.fill(turn, values, pending if slot.name == asking else None, uow)
        if isinstance(result, Ask):
            return _ask(form, turn, values, slot.name, result, repeat=slot.name == asking)
        if result:
            values.update(result)
    for slot in form.slots:
        if slot.name not in values and not slot.optional:
            return _ask(form, turn, values, slot.name, Ask(slot.prompt), repeat=slot.name == asking)
    finish(turn)
    return form.on_complete(values, turn, uow)


def _ask(form: Form, turn: Turn, values: dict, slot_name: str, ask: Ask, *, repeat: bool) -> Outcome:
    asks = int((turn.state.slots or {}).get("asks", 0)) + 1 if repeat else 1
    if asks > form.max_asks:
        finish(turn)
        return Outcome("抱歉，我没能听明白。您可以换个说法重新告诉我，或回复“帮助”看看我能做什么。")
    turn.state.slots = {"values": values, "asking": slot_name, "pending": ask.pending or None, "asks": asks}
    expires_after = form.expires_after or turn.settings.dialogue_expires_after
    turn.state.expires_at = turn.now + expires_after
    return Outcome(ask.render())


def finish(turn: Turn) -> None:
    turn.state.form = None
    turn.state.slots = {}
    turn.state.expires_at = None
