"""GET /h5/meetings: the coming consultation meetings of every community, with seats left.

Public (no personal data): the custom menu's 议事安排 button opens it.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from handlers import meetings
from handlers.timezone import local

bp = Blueprint("meeting_pages", __name__, template_folder="templates")


@bp.get("/h5/meetings")
def coming_meetings():
    services = current_app.extensions["linli"]
    now = services.clock.now()
    with services.uow() as uow:
        meetings.materialise(uow, now=now, weeks_ahead=services.settings.domain.meeting_weeks_ahead)
        uow.commit()
        communities = [
            {
                "name": community.name,
                "meetings": [
                    {
                        "when": meetings.when_label(item.meeting, now), "title": item.meeting.title,
                        "place": item.meeting.place, "topic": item.meeting.topic, "seats_left": item.seats_left,
                        "date": local(item.meeting.starts_at).date().isoformat(),
                    }
                    for item in meetings.upcoming(community.id, None, uow, now=now, limit=8)
                ],
            }
            for community in uow.directory.communities()
        ]
    return render_template("meetings.html", communities=communities)
