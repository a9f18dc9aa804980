"""One transaction per resident message or job: everything in it commits together or not at all."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from storage.closed_loop_repositories import DeadlineAlertRepository, FollowerRepository, PointsRepository
from storage.meeting_repositories import MeetingRepository
from storage.repositories import (
    CaseRepository, DialogueRepository, DirectoryRepository, InboundRepository, OutboxRepository,
    ResidentRepository,
)

# Called on commit with the domain events recorded in this unit of work, before the
# transaction ends, so outbox rows are written in the same transaction as the change.
EventPublisher = Callable[[list[Any], "UnitOfWork"], None]


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], publish: EventPublisher | None = None):
        self._session_factory = session_factory
        self._publish = publish

    def __enter__(self) -> "UnitOfWork":
        self.session = self._session_factory()
        self.events: list[Any] = []
        self.directory = DirectoryRepository(self.session)
        self.residents = ResidentRepository(self.session)
        self.cases = CaseRepository(self.session)
        self.inbound = InboundRepository(self.session)
        self.dialogues = DialogueRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.followers = FollowerRepository(self.session)
        self.deadline_alerts = DeadlineAlertRepository(self.session)
        self.points = PointsRepository(self.session)
        self.meetings = MeetingRepository(self.session)
        return self

    def __exit__(self, *exc_info) -> None:
        # Roll back unless commit() was called: a handler that raises leaves nothing behind.
        self.session.rollback()
        self.session.close()

    def record(self, event: Any) -> None:
        self.events.append(event)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        self.session.flush()  # ids for new rows, which push keys refer to
        while self.events:
            batch, self.events = self.events, []
            if self._publish is not None:
                self._publish(batch, self)
            self.session.flush()
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
