"""`linli meetings …`: staff create, list, cancel and move meetings and record their outcome."""
from __future__ import annotations

import json
from contextlib import contextmanager

import click

from bot.meeting_times import parse_time
from handlers import meeting_admin
from handlers.meeting_admin import MeetingDraft, MeetingError
from handlers.timezone import local


@contextmanager
def _services():
    from bot import settings as settings_module
    from bot.bootstrap import bootstrap

    services = bootstrap(settings_module.load())
    try:
        yield services
    finally:
        services.close()


def _run(action):
    """Run `action(uow, services)` in one transaction; a refused request ends the command with its reason."""
    with _services() as services:
        try:
            with services.uow() as uow:
                result = action(uow, services)
                uow.commit()
                return result
        except MeetingError as error:
            raise click.ClickException(str(error)) from error


def meeting_json(meeting, taken: int = 0) -> dict:
    return {
        "id": meeting.id, "community": meeting.community.code, "grid_id": meeting.grid_id, "title": meeting.title,
        "topic": meeting.topic, "place": meeting.place, "starts_at": local(meeting.starts_at).isoformat(),
        "ends_at": local(meeting.ends_at).isoformat(), "capacity": meeting.capacity, "seats_taken": taken,
        "status": meeting.status, "series": meeting.series_key, "outcome": meeting.outcome,
    }


@click.group("meetings")
def meetings_group() -> None:
    """Consultation meetings (议事会)."""


@meetings_group.command("list")
@click.option("--community", default=None, help="Community code, e.g. xinshiji.")
@click.option("--json", "as_json", is_flag=True)
def list_meetings(community: str | None, as_json: bool) -> None:
    """Meetings not yet over, soonest first."""
    def action(uow, services):
        found = uow.directory.community_by_code(community) if community else None
        if community and found is None:
            raise MeetingError(f"没有代码为 {community} 的社区")
        items = list(uow.meetings.listed(community_id=found.id if found else None, after=services.clock.now()))
        taken = uow.meetings.seats_taken([m.id for m in items])
        return [meeting_json(m, taken.get(m.id, 0)) for m in items]

    items = _run(action)
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for item in items:
        click.echo(f"#{item['id']:<4} {item['starts_at'][:16].replace('T', ' ')} {item['title']} @ {item['place']} "
                   f"{item['seats_taken']}/{item['capacity']}人 [{item['status']}]")


def _draft_options(command):
    for option in reversed([
        click.option("--community", required=True, help="Community code, e.g. xinshiji."),
        click.option("--title", required=True),
        click.option("--topic", default=""),
        click.option("--place", default="", help="Default: the community's 党群服务中心."),
        click.option("--grid", default=None, help="A grid code, for a grid's own meeting."),
        click.option("--minutes", type=int, default=90, show_default=True),
        click.option("--capacity", type=int, default=30, show_default=True),
    ]):
        command = option(command)
    return command


@meetings_group.command("create")
@_draft_options
@click.option("--at", "at", required=True, help='Start, e.g. "2026-12-02 15:00" (Asia/Shanghai).')
def create(community, title, topic, place, grid, minutes, capacity, at) -> None:
    """A one-off meeting."""
    def action(uow, services):
        draft = MeetingDraft(community=community, title=title, topic=topic, place=place, grid=grid, minutes=minutes,
                             capacity=capacity, starts_at=parse_time(at))
        return meeting_admin.create_meeting(draft, uow, now=services.clock.now()).id

    click.echo(f"已创建议事会 #{_run(action)}")


@meetings_group.command("repeat")
@_draft_options
@click.option("--key", required=True, help="A short unique name, e.g. xsj-friday.")
@click.option("--cron", required=True, help='Crontab line in Asia/Shanghai, e.g. "0 15 * * wed" (every Wednesday 15:00).')
def repeat(community, title, topic, place, grid, minutes, capacity, key, cron) -> None:
    """A recurring meeting; its coming meetings are made weeks ahead."""
    def action(uow, services):
        draft = MeetingDraft(community=community, title=title, topic=topic, place=place, grid=grid, minutes=minutes,
                             capacity=capacity, key=key, cron=cron)
        return meeting_admin.create_series(draft, uow, services.settings.domain, now=services.clock.now()).key

    click.echo(f"已创建重复议事会 {_run(action)}")


@meetings_group.command("cancel")
@click.argument("meeting_id", type=int)
@click.option("--reason", default="", help="Told to everyone signed up.")
def cancel(meeting_id: int, reason: str) -> None:
    """Cancel a meeting; everyone signed up is told and no reminder follows."""
    told = _run(lambda uow, services: meeting_admin.cancel_meeting(meeting_id, reason, uow, now=services.clock.now()))
    click.echo(f"已取消，正在通知 {told} 位报名居民")


@meetings_group.command("move")
@click.argument("meeting_id", type=int)
@click.option("--at", "at", required=True, help='New start, e.g. "2026-12-03 09:00".')
@click.option("--place", default=None)
def move(meeting_id: int, at: str, place: str | None) -> None:
    """Move a meeting; reminders move with it and everyone signed up is told."""
    told = _run(lambda uow, services: meeting_admin.move_meeting(
        meeting_id, parse_time(at), uow, services.settings.domain, now=services.clock.now(), place=place))
    click.echo(f"已改期，正在通知 {told} 位报名居民")


@meetings_group.command("outcome")
@click.argument("meeting_id", type=int)
@click.option("--text", "text", required=True, help="The outcome (决议).")
@click.option("--no-send", is_flag=True, help="Record only; do not send it to the participants.")
def outcome(meeting_id: int, text: str, no_send: bool) -> None:
    """Record a meeting's outcome (决议) and send it to everyone who signed up."""
    told = _run(lambda uow, services: meeting_admin.record_outcome(
        meeting_id, text, uow, now=services.clock.now(), send=not no_send))
    click.echo("决议已记录" + (f"，正在发送给 {told} 位参会居民" if not no_send else ""))
