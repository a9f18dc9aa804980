"""The one place that builds and wires everything; tests pass fakes as keyword arguments."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import SystemClock
from bot.settings import Settings
from handlers import pushes, routing
from nlu import Interpreter, build_interpreter
from storage.db import make_engine, make_session_factory
from storage.unit_of_work import UnitOfWork


@dataclass
class Services:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    interpreter_factory: Callable[[], Interpreter]
    sender: Any  # bot.push.Sender
    clock: Any
    _interpreter: Interpreter | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def interpreter(self) -> Interpreter:
        """Built on first use: the web process loads it at start, the scheduler never needs it."""
        if self._interpreter is None:
            with self._lock:
                if self._interpreter is None:
                    self._interpreter = self.interpreter_factory()
        return self._interpreter

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, publish=pushes.publish)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(
    settings: Settings,
    *,
    engine: Engine | None = None,
    interpreter: Interpreter | None = None,
    sender: Any = None,
    clock: Any = None,
) -> Services:
    routing.check_routes()
    if settings.wechat.menu:
        from bot.wechat_menu import menu_payload

        menu_payload(settings)  # a menu key nothing handles fails here, not when a resident taps it
    engine = engine or make_engine(settings.database_url)
    if sender is None:
        from bot.push import build_sender

        sender = build_sender(settings)
    return Services(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        interpreter_factory=(lambda: interpreter) if interpreter is not None else (lambda: build_interpreter(settings.nlu)),
        sender=sender,
        clock=clock or SystemClock(),
    )
