"""Drain the outbox: lease due pushes, drop stale ones, send the rest concurrently outside any
transaction, and record each result. At-least-once; WeChat de-duplicates on client_msg_id."""
from __future__ import annotations

import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import timedelta

from bot.push import Push, SendError

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "DeliveryReport") -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.dropped += other.dropped
        self.errors += other.errors

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.dropped


def backoff(attempt: int, base: float, cap: float) -> timedelta:
    """Exponential backoff with jitter, so many failed pushes do not retry in one burst."""
    return timedelta(seconds=min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2))


def deliver_due(services, *, limit: int | None = None) -> DeliveryReport:
    """One batch: lease up to `limit` due pushes and send them."""
    settings = services.settings.outbox
    report = DeliveryReport()
    with services.uow() as uow:
        now = services.clock.now()
        rows = uow.outbox.claim_due(
            now=now, limit=limit or settings.batch_size, lease=timedelta(seconds=settings.lease_seconds)
        )
        pushes = []
        for row in rows:
            if row.expires_at is not None and row.expires_at <= now:
                # Fell due while nobody was sending and is no longer worth sending (a reminder for a
                # meeting that has begun): drop it, visibly.
                row.dropped_at, row.claimed_until, row.last_error = now, None, "过期未发送"
                report.dropped += 1
                log.info("push.dropped outbox_id=%s reason=expired due_at=%s", row.id, row.due_at)
                continue
            pushes.append(Push(row.id, row.openid, row.kind, dict(row.payload)))
        uow.commit()
    if len(pushes) <= 1 or settings.concurrency <= 1:
        for push in pushes:
            _record(services, push, _send(services, push), report)
        return report
    with ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="push") as pool:
        futures = {pool.submit(_send, services, push): push for push in pushes}
        for future in as_completed(futures):
            _record(services, futures[future], future.result(), report)
    return report


def drain(services, *, max_seconds: float | None = None) -> DeliveryReport:
    """Deliver batches until nothing is due (or the time budget is spent); what is left waits."""
    settings = services.settings.outbox
    budget = settings.drain_seconds if max_seconds is None else max_seconds
    started = time.monotonic()
    total = DeliveryReport()
    while True:
        report = deliver_due(services)
        total.add(report)
        if report.handled < settings.batch_size or time.monotonic() - started >= budget:
            return total


def _send(services, push: Push) -> SendError | None:
    try:
        services.sender.send(push)
    except SendError as error:
        return error
    except Exception as error:  # a bug in rendering one push must not stop the others
        log.exception("push.crashed outbox_id=%s", push.id)
        return SendError(f"内部错误：{type(error).__name__}", permanent=False)
    return None


def _record(services, push: Push, error: SendError | None, report: DeliveryReport) -> None:
    settings = services.settings.outbox
    with services.uow() as uow:
        row = uow.outbox.get(push.id)
        now = services.clock.now()
        row.attempts += 1
        row.claimed_until = None
        if error is None:
            row.sent_at = now
            row.channel = services.sender.channel
            row.last_error = None
            report.sent += 1
        elif error.permanent or row.attempts >= settings.max_attempts:
            row.failed_at = now
            row.last_error = str(error)
            report.failed += 1
            report.errors.append(str(error))
            log.warning("push.failed outbox_id=%s attempts=%s error=%s", push.id, row.attempts, error)
        else:
            row.next_attempt_at = now + backoff(row.attempts, settings.backoff_base_seconds, settings.backoff_max_seconds)
            row.last_error = str(error)
            report.retrying += 1
            log.info("push.retry outbox_id=%s attempts=%s error=%s", push.id, row.attempts, error)
        uow.commit()
