"""Drain the outbox: lease due pushes, send each outside any transaction, record the result."""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from bot.push import Push, SendError

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempt: int, base: float, cap: float) -> timedelta:
    """Exponential backoff with jitter, so many failed pushes do not retry in one burst."""
    return timedelta(seconds=min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2))


def deliver_due(services, *, limit: int | None = None) -> DeliveryReport:
    settings = services.settings.outbox
    report = DeliveryReport()
    with services.uow() as uow:
        now = services.clock.now()
        rows = uow.outbox.claim_due(
            now=now, limit=limit or settings.batch_size, lease=timedelta(seconds=settings.lease_seconds)
        )
        pushes = [Push(r.id, r.openid, r.kind, dict(r.payload)) for r in rows]
        uow.commit()
    for push in pushes:
        _deliver_one(services, push, report)
    return report


def _deliver_one(services, push: Push, report: DeliveryReport) -> None:
    settings = services.settings.outbox
    error: SendError | None = None
    try:
        services.sender.send(push)
    except SendError as caught:
        error = caught
    except Exception as caught:  # a bug in rendering must not stop the other pushes
        log.exception("push.crashed outbox_id=%s", push.id)
        error = SendError(f"内部错误：{type(caught).__name__}", permanent=False)
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
