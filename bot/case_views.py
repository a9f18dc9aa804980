"""Cases as JSON: the shape `linli cases … --json` prints and the API returns."""
from __future__ import annotations

from handlers.case_lifecycle import STATE_LABELS, State, step_of
from handlers.escalation import level_name
from handlers.timezone import local
from storage.models import Case


def _iso(at) -> str | None:
    return local(at).isoformat() if at is not None else None


def case_json(case: Case) -> dict:
    reporter = case.reporter
    assignee = case.assignee
    return {
        "case_no": case.number,
        "kind": case.kind,
        "category": case.category,
        "state": case.state,
        "state_label": STATE_LABELS.get(State(case.state), case.state),
        "community": case.community.name,
        "grid": case.grid.code,
        "grid_name": case.grid.name,
        "location": case.location_label,
        "description": case.description,
        "reporter": {"openid": reporter.openid, "name": reporter.name} if reporter else None,
        "assignee": (
            {"openid": assignee.openid, "name": assignee.name, "team": case.team.kind if case.team else None}
            if assignee
            else None
        ),
        "team_name": case.team.name if case.team else None,
        "escalation_level": level_name(case),
        "duplicate_of": case.duplicate_of.number if case.duplicate_of is not None else None,
        "reopen_count": case.reopen_count or 0,
        "result": (case.details or {}).get("result"),
        "rating": case.rating,
        "rating_comment": case.rating_comment,
        "created_at": _iso(case.created_at),
        "accept_due_at": _iso(case.accept_due_at),
        "resolve_due_at": _iso(case.resolve_due_at),
        "events": [
            {
                "at": _iso(event.at),
                "step": step_of(event),
                "action": event.action,
                "from": event.from_state,
                "to": event.to_state,
                "by": event.actor_name,
                "by_role": event.actor_kind,
                "note": event.note,
            }
            for event in case.events
        ],
    }
