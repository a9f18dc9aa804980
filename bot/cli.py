"""The `linli` command: database, seeding, serving, the scheduler, chat, cases and NLU tools."""
from __future__ import annotations

import json
import logging
import signal
import sys

import click

from bot import settings as settings_module
from bot.app import configure_logging
from bot.meeting_commands import meetings_group
from bot.nlu_commands import nlu_group

log = logging.getLogger("linli")


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """邻里 (Linli): the community's WeChat account backend."""
    configure_logging(logging.DEBUG if verbose else logging.INFO)
    ctx.ensure_object(dict)


def _settings() -> settings_module.Settings:
    return settings_module.load()


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations (SQLite var/linli.db, or LINLI_DATABASE_URL)."""
    from storage.migrate import current, upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    click.echo(f"数据库已是最新版本：{current(settings.database_url)}")


@main.command()
def seed() -> None:
    """Make the community directory match config.yaml (idempotent)."""
    from bot.seed import ConfigError
    from bot.seed import seed as run_seed
    from storage.db import make_engine, make_session_factory

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        report = run_seed(make_session_factory(engine), settings.community)
    except ConfigError as error:
        raise click.ClickException(f"config.yaml 有误：{error}") from error
    finally:
        engine.dispose()
    if report.changed:
        click.echo(f"已同步社区名单：新增 {report.created or '无'}，更新 {report.updated or '无'}")
    else:
        click.echo("社区名单已是最新，无需改动")


@main.command()
@click.option("--host", default=None, help="Default: config server.host (127.0.0.1).")
@click.option("--port", type=int, default=None, help="Default: $PORT or 5000.")
@click.option("--threads", type=int, default=8, show_default=True)
@click.option("--scheduler/--no-scheduler", default=None, help="Run the jobs in this process (config default).")
def run(host: str | None, port: int | None, threads: int, scheduler: bool | None) -> None:
    """Serve the WeChat callback and pages (waitress); the scheduler runs in-process by default."""
    from waitress import serve

    from bot.app import create_app
    from bot.bootstrap import bootstrap

    settings = _settings()
    host, port = host or settings.host, port or settings.port
    services = bootstrap(settings)
    services.interpreter  # load the NLU now, not on the first resident's message
    app = create_app(services=services)
    if settings.wechat.dev_token:
        click.echo(f"WECHAT_TOKEN 未设置，使用开发令牌：{settings.wechat.token}")
    if not settings.wechat.can_push:
        click.echo("未配置 WECHAT_APPID/WECHAT_SECRET：推送只记录在本地（linli chat 可见）")
    background = None
    if scheduler if scheduler is not None else settings.scheduler_in_process:
        from bot.scheduler import LinliScheduler

        background = LinliScheduler(services, lease_seconds=settings.scheduler_lease_seconds)
        background.start_in_background()
    # SIGTERM (systemd, make) ends serve() like Ctrl-C, so the scheduler hands back its lease.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(f"邻里已启动：http://{host}:{port}/wechat  （另开终端运行 linli chat 试试）")
    try:
        serve(app, host=host, port=port, threads=threads, ident="linli")
    finally:
        if background is not None:
            background.stop()
        services.close()


@main.command("scheduler")
def scheduler_command() -> None:
    """Run the background jobs (production: exactly one such process)."""
    from bot.bootstrap import bootstrap
    from bot.scheduler import run_forever

    services = bootstrap(_settings())
    try:
        run_forever(services)
    finally:
        services.close()


@main.command()
@click.option("--as", "openid", default="o_resident_demo", show_default=True, help="Whose openid to send as.")
@click.option("--encrypt", is_flag=True, help="AES safe mode (WECHAT_AES_KEY).")
@click.option("--url", default=None, help="Server base URL (default http://127.0.0.1:$PORT).")
@click.option("--watch-seconds", type=float, default=3.0, show_default=True,
              help="After the last line, keep showing pushes this long.")
def chat(openid: str, encrypt: bool, url: str | None, watch_seconds: float) -> None:
    """Talk to the running server as a resident or worker; shows replies and pushes to you."""
    from bot.chat import run_chat

    settings = _settings()
    wechat = settings.wechat
    run_chat(url or f"http://{settings.host}:{settings.port}", wechat.token, wechat.aes_key, wechat.appid, openid,
             encrypt, watch_seconds)


@main.group()
def cases() -> None:
    """Look at cases."""


def _open_services():
    from storage.db import make_engine, make_session_factory
    from storage.unit_of_work import UnitOfWork

    settings = _settings()
    engine = make_engine(settings.database_url)
    return engine, UnitOfWork(make_session_factory(engine))


@cases.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--state", default=None)
@click.option("--kind", type=click.Choice(["repair", "dispute", "errand"]), default=None)
@click.option("--limit", type=int, default=200, show_default=True)
def cases_list(as_json: bool, state: str | None, kind: str | None, limit: int) -> None:
    """Newest cases first."""
    from bot.case_views import case_json

    engine, uow = _open_services()
    try:
        with uow:
            items = [case_json(c) for c in uow.cases.listed(state=state, kind=kind, limit=limit)]
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for item in items:
        who = item["assignee"]["name"] if item["assignee"] else "待派单"
        click.echo(f"{item['case_no']}  {item['state_label']:<8} {item['community']}{item['location']}  {who}  "
                   f"{item['description'][:30]}")


@cases.command("show")
@click.argument("case_no")
@click.option("--json", "as_json", is_flag=True)
def cases_show(case_no: str, as_json: bool) -> None:
    """One case with its trail."""
    from bot.case_views import case_json

    engine, uow = _open_services()
    try:
        with uow:
            case = uow.cases.by_number(case_no.strip())
            item = case_json(case) if case else None
    finally:
        engine.dispose()
    if item is None:
        click.echo(f"没有工单 {case_no}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(item, ensure_ascii=False, indent=2))
        return
    click.echo(f"{item['case_no']} [{item['state_label']}] {item['community']}{item['location']}：{item['description']}")
    for event in item["events"]:
        click.echo(f"  {event['at'][:16]}  {event['step']}  {event['by']}  {event['note']}")


@main.command("workbench-link")
@click.option("--as", "openid", required=True, help="The worker's openid, e.g. o_xsj_eng1.")
@click.option("--case", "case_no", default=None, help="Open this case instead of the worker's list.")
def workbench_link(openid: str, case_no: str | None) -> None:
    """Print a signed, expiring link that opens the H5 workbench as this worker (local use)."""
    from urllib.parse import quote

    from bot import links

    settings = _settings()
    target = f"/w/cases/{case_no.strip().upper()}" if case_no else "/w/"
    click.echo(f"{settings.public_base_url}/w/login?t={links.sign(settings.secret_key, openid)}&next={quote(target)}")


@main.command("api-token")
@click.option("--as", "openid", required=True, help="A staff member's openid, e.g. o_xsj_staff_chen.")
def api_token(openid: str) -> None:
    """Print a bearer token (valid 7 days) for the staff JSON API (/api/meetings)."""
    from bot import links

    click.echo(links.sign(_settings().secret_key, openid))


@main.group()
def deadlines() -> None:
    """Deadline checks (the scheduler runs them; this runs them once by hand)."""


@deadlines.command("sweep")
def deadlines_sweep() -> None:
    """Warn before and escalate on breach, once per case and deadline; safe to repeat."""
    from bot.bootstrap import bootstrap
    from handlers.deadlines import sweep

    services = bootstrap(_settings())
    try:
        with services.uow() as uow:
            report = sweep(uow, services.settings.domain, services.clock.now())
            uow.commit()
    finally:
        services.close()
    click.echo(f"提醒 {len(report.warned)} 件，升级督办 {len(report.escalated)} 件，已在最高级仍超时 {len(report.breached_at_top)} 件")


@main.group()
def wechat() -> None:
    """The WeChat account itself."""


@wechat.command("menu")
@click.option("--dry-run", is_flag=True, help="Print the menu JSON instead of pushing it.")
def wechat_menu(dry_run: bool) -> None:
    """Push the custom menu in config.yaml (wechat.menu) to WeChat."""
    from bot.wechat_menu import MenuError, menu_payload, push_menu

    settings = _settings()
    try:
        if dry_run:
            click.echo(json.dumps(menu_payload(settings), ensure_ascii=False, indent=2))
            return
        push_menu(settings)
    except MenuError as error:
        raise click.ClickException(str(error)) from error
    click.echo("自定义菜单已推送")


main.add_command(nlu_group)
main.add_command(meetings_group)

if __name__ == "__main__":
    main()
