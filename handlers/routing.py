"""Which form or handler takes a message: cancel words, then the active form, then the intent."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from handlers import forms, repair, smalltalk, worker_commands
from handlers.turn import Outcome, Turn

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

Handler = Callable[[Turn, "UnitOfWork"], Outcome]


def _start(form: forms.Form) -> Handler:
    return lambda turn, uow: forms.start(form, turn, uow)


ROUTES: dict[str, Handler] = {
    "repair": _start(repair.REPAIR_FORM),
    "greet": smalltalk.greet,
    "help": smalltalk.show_help,
    "out_of_scope": smalltalk.out_of_scope,
    "cancel": smalltalk.nothing_to_cancel,
    "affirm": smalltalk.greet,
    "deny": smalltalk.greet,
}
EXPIRED_NOTE = "（上次没说完的事已经超时，我先清空了。）\n"


def check_routes() -> None:
    """Fail at startup, not mid-conversation, when a route or form is missing."""
    from nlu import INTENTS

    unknown = set(ROUTES) - set(INTENTS)
    if unknown:
        raise RuntimeError(f"routes for unknown intents: {sorted(unknown)}")


def route(turn: Turn, uow: "UnitOfWork") -> Outcome:
    command = worker_commands.handle(turn, uow)  # a worker's “签收 R…” comes before forms and intents
    if command is not None:
        return command
    state = turn.state
    note = ""
    if state.form and state.expires_at is not None and turn.now >= state.expires_at:
        forms.finish(turn)
        note = EXPIRED_NOTE
    form = forms.FORMS.get(state.form) if state.form else None
    if state.form and form is None:
        forms.finish(turn)  # a form that no longer exists after an upgrade: start afresh
    if form is not None:
        if forms.is_cancel(form, turn.text):
            forms.finish(turn)
            return Outcome(form.cancel_reply)
        return forms.advance(form, turn, uow)
    outcome = _by_intent(turn, uow)
    return Outcome(note + outcome.reply) if note and outcome.reply else outcome


def _by_intent(turn: Turn, uow: "UnitOfWork") -> Outcome:
    understanding = turn.understanding
    if understanding is None or not understanding.confident:
        return smalltalk.not_understood(turn, uow)
    handler = ROUTES.get(understanding.intent, smalltalk.not_understood)
    return handler(turn, uow)
