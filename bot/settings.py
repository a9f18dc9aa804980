"""Settings from config.yaml plus the environment. Secrets only ever come from the environment."""
from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path

import yaml

from handlers.settings import Deadline, DomainSettings, PointsRules
from handlers.working_time import WorkingHours
from nlu import NluSettings

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Used when WECHAT_TOKEN / WECHAT_AES_KEY are unset so `make run` and `linli chat` work offline.
DEV_TOKEN = "linli-dev-token"
DEV_AES_KEY = "bGlubGktZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQx"[:43]
DEV_APPID = "wxlinlidev0000000"


@dataclass(frozen=True)
class WeChatSettings:
    token: str
    aes_key: str
    appid: str
    secret: str | None
    api_base_url: str
    timeout_seconds: float = 5.0
    templates: dict = field(default_factory=dict)  # name -> {"template_id", "fields": {ours: theirs}}
    menu: dict = field(default_factory=dict)
    dev_token: bool = False

    @property
    def can_push(self) -> bool:
        """Real pushes need credentials; without them pushes are logged and shown locally."""
        return bool(self.secret) and self.appid != DEV_APPID


@dataclass(frozen=True)
class OutboxSettings:
    batch_size: int = 50
    lease_seconds: int = 60
    max_attempts: int = 8
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 1800.0
    poll_seconds: float = 2.0
    concurrency: int = 8  # pushes in flight at once (WeChat calls are network-bound)
    drain_seconds: float = 20.0  # one delivery run stops after this long; the next run continues


@dataclass(frozen=True)
class Settings:
    root: Path
    database_url: str
    host: str
    port: int
    public_base_url: str
    secret_key: str
    redis_url: str | None
    wechat: WeChatSettings
    nlu: NluSettings
    domain: DomainSettings
    outbox: OutboxSettings
    scheduler_in_process: bool
    scheduler_lease_seconds: float
    community: dict  # street / communities / people, as written in config.yaml (for `linli seed`)
    raw: dict
    var_dir: Path = Path("var")  # machine-local files: the dev secret, uploaded photos


def config_path() -> Path:
    explicit = os.environ.get("LINLI_CONFIG")
    if explicit:
        return Path(explicit)
    here = Path.cwd() / "config.yaml"
    return here if here.exists() else PROJECT_ROOT / "config.yaml"


def load(path: Path | None = None, *, env: dict | None = None, overrides: dict | None = None) -> Settings:
    """Read config.yaml and the environment; `overrides` (tests) replace top-level config keys."""
    env = dict(os.environ if env is None else env)
    path = path or config_path()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    raw.update(overrides or {})
    root = path.resolve().parent
    var = Path(env.get("LINLI_VAR_DIR", root / "var"))

    database_url = env.get("LINLI_DATABASE_URL") or raw.get("database_url") or f"sqlite:///{var / 'linli.db'}"
    server = raw.get("server", {}) or {}
    port = int(env.get("PORT", server.get("port", 5000)))
    host = env.get("LINLI_HOST", server.get("host", "127.0.0.1"))
    public = env.get("LINLI_PUBLIC_URL") or server.get("public_url") or f"http://{host}:{port}"

    return Settings(
        root=root,
        database_url=database_url,
        host=host,
        port=port,
        public_base_url=public.rstrip("/"),
        secret_key=env.get("LINLI_SECRET_KEY") or _dev_secret(var),
        redis_url=env.get("LINLI_REDIS_URL") or raw.get("redis_url"),
        wechat=_wechat(raw.get("wechat", {}) or {}, env),
        nlu=NluSettings.from_mapping(raw.get("nlu"), base_dir=root),
        domain=_domain(raw),
        outbox=OutboxSettings(**(raw.get("outbox", {}) or {})),
        scheduler_in_process=bool((raw.get("scheduler", {}) or {}).get("in_process", True)),
        scheduler_lease_seconds=float((raw.get("scheduler", {}) or {}).get("lease_seconds", 30)),
        community={k: raw.get(k) for k in ("street", "communities", "meetings")},
        raw=raw,
        var_dir=var,
    )


def _wechat(section: dict, env: dict) -> WeChatSettings:
    token = env.get("WECHAT_TOKEN")
    return WeChatSettings(
        token=token or DEV_TOKEN,
        aes_key=env.get("WECHAT_AES_KEY") or DEV_AES_KEY,
        appid=env.get("WECHAT_APPID") or DEV_APPID,
        secret=env.get("WECHAT_SECRET"),
        api_base_url=(env.get("WECHAT_API_BASE_URL") or "https://api.weixin.qq.com").rstrip("/"),
        timeout_seconds=float(section.get("timeout_seconds", 5.0)),
        templates={
            name: {
                "template_id": env.get(f"WECHAT_TEMPLATE_{name.upper()}") or spec.get("template_id", name),
                "fields": dict(spec.get("fields", {})),
            }
            for name, spec in (section.get("templates", {}) or {}).items()
        },
        menu=section.get("menu", {}) or {},
        dev_token=token is None,
    )


def _domain(raw: dict) -> DomainSettings:
    hours = raw.get("working_hours", {}) or {}
    dialogue = raw.get("dialogue", {}) or {}
    deadlines = {
        key: Deadline(**value) for key, value in (raw.get("deadlines", {}) or {"default": {}}).items()
    }
    followups = raw.get("followups", {}) or {}
    return DomainSettings(
        account_name=raw.get("account_name", "邻里"),
        working_hours=WorkingHours(
            start=time.fromisoformat(hours.get("start", "08:30")), end=time.fromisoformat(hours.get("end", "17:30"))
        ),
        deadlines=deadlines,
        assignment_policy=(raw.get("routing", {}) or {}).get("repair_policy", "responsible"),
        errand_mode=(raw.get("routing", {}) or {}).get("errand_mode", "grab"),
        errand_skills={
            skill: tuple(words) for skill, words in ((raw.get("routing", {}) or {}).get("errand_skills", {}) or {}).items()
        },
        volunteer_max_open=int((raw.get("routing", {}) or {}).get("volunteer_max_open", 3)),
        dialogue_expires_after=timedelta(minutes=int(dialogue.get("expires_minutes", 30))),
        min_confidence=float((raw.get("nlu", {}) or {}).get("min_confidence", 0.5)),
        warn_before=str((raw.get("escalation", {}) or {}).get("warn_before", "1h")),
        escalate_after_reopens=int((raw.get("escalation", {}) or {}).get("after_reopens", 2)),
        points=PointsRules(**(raw.get("points", {}) or {})),
        rating_reminder_after=timedelta(hours=float(followups.get("rating_reminder_after_hours", 24))),
        close_unrated_after=timedelta(days=float(followups.get("close_unrated_after_days", 7))),
        meeting_weeks_ahead=int((raw.get("meetings", {}) or {}).get("weeks_ahead", 4)),
        meeting_reminders=tuple(
            parse_offset(o) for o in (raw.get("meetings", {}) or {}).get("reminders", ["24h", "1h"])
        ),
        grid_points=_grid_points(raw.get("communities") or []),
    )


def parse_offset(text: str) -> timedelta:
    """"24h", "90m", "2d" → a timedelta (config values for reminder offsets)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhd])\s*", str(text))
    if match is None:
        raise ValueError(f"提醒时间应写成 24h、90m 或 2d 这样的格式，收到：{text!r}")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: float(match.group(1))})


def _grid_points(communities: list) -> dict[str, tuple[float, float]]:
    """Each grid's centre (`location: [lat, lng]`), for residents who send their location."""
    points = {}
    for community in communities:
        for grid in community.get("grids", []) or []:
            where = grid.get("location")
            if where:
                points[grid["code"]] = (float(where[0]), float(where[1]))
    return points


def _dev_secret(var: Path) -> str:
    """A per-machine key for signed links when LINLI_SECRET_KEY is unset (kept in var/, not in git)."""
    path = var / "secret_key"
    if not path.exists():
        var.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x") as handle:  # first process wins; the others read its key
                handle.write(secrets.token_urlsafe(32))
        except FileExistsError:
            pass
    return path.read_text().strip()
