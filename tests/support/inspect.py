"""Read what the app stored, as plain data (the JSON shapes people and tools see)."""
from __future__ import annotations

from sqlalchemy import func, select

from bot.case_views import case_json
from storage.models import Case, DialogueState, InboundMessage, OutboxMessage, Resident


def all_cases(services) -> list[dict]:
    with services.uow() as uow:
        return [case_json(c) for c in uow.session.scalars(select(Case).order_by(Case.id))]


def outbox(services) -> list[dict]:
    with services.uow() as uow:
        return [
            {
                "id": r.id, "openid": r.openid, "kind": r.kind, "payload": r.payload, "status": r.status,
                "attempts": r.attempts, "last_error": r.last_error, "channel": r.channel,
            }
            for r in uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def resident_row(services, openid: str) -> dict | None:
    with services.uow() as uow:
        resident = uow.residents.get(openid)
        state = uow.session.get(DialogueState, openid)
        if resident is None:
            return None
        return {
            "openid": resident.openid,
            "phone": resident.phone,
            "address": (resident.building.number if resident.building else None, resident.unit, resident.room),
            "community": resident.community.name if resident.community else None,
            "form": state.form if state else None,
        }


def count(services, model) -> int:
    with services.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def inbound_count(services, openid: str | None = None) -> int:
    with services.uow() as uow:
        stmt = select(func.count()).select_from(InboundMessage)
        if openid:
            stmt = stmt.where(InboundMessage.openid == openid)
        return uow.session.scalar(stmt)


__all__ = ["all_cases", "count", "inbound_count", "outbox", "resident_row", "Resident"]
