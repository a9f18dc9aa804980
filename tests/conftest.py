"""Shared fixtures: a fresh seeded database per test (SQLite, and PostgreSQL when it answers),
the app wired to a local WeChat API stand-in, a controllable clock, and WeChat request helpers."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot import settings as settings_module
from bot.bootstrap import bootstrap
from bot.clock import FrozenClock
from handlers.timezone import SHANGHAI
from nlu import NluSettings, build_interpreter
from tests.support.databases import DatabaseTemplates, postgres_available
from tests.support.wechat_actions import WeChatActions
from tests.support.wechat_api import WeChatApiStandIn

ROOT = Path(__file__).resolve().parent.parent
# A Tuesday morning, a working day: deadlines count from here.
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
TEST_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def config_file() -> Path:
    return ROOT / "config.yaml"


@pytest.fixture(scope="session")
def db_templates(tmp_path_factory, config_file):
    config = settings_module.load(config_file, env={"LINLI_VAR_DIR": str(tmp_path_factory.mktemp("var"))})
    templates = DatabaseTemplates(tmp_path_factory.mktemp("db-templates"), config.community)
    yield templates
    templates.close()


@pytest.fixture(params=BACKENDS)
def database_url(request, db_templates, tmp_path):
    """A migrated, seeded database of its own for this test."""
    if request.param == "postgresql" and not postgres_available():
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    url = db_templates.fresh(request.param, tmp_path)
    yield url
    db_templates.drop(url)


@pytest.fixture(scope="session")
def nlu_cache_dir() -> Path:
    """Where every test's embedded model is cached: the one `make run` uses, so a run trains it at most once."""
    return ROOT / "var" / "nlu-cache"


@pytest.fixture(scope="session")
def interpreter(nlu_cache_dir):
    """The real embedded NLU, trained once (cached on disk by the data's hash)."""
    return build_interpreter(NluSettings(cache_dir=nlu_cache_dir))


@pytest.fixture(scope="session")
def wechat_api():
    with WeChatApiStandIn() as api:
        yield api


@pytest.fixture
def clock():
    return FrozenClock(TUESDAY_MORNING)


def make_settings(config_file: Path, database_url: str, tmp_path: Path, **env) -> settings_module.Settings:
    base = {
        "LINLI_DATABASE_URL": database_url,
        "LINLI_VAR_DIR": str(tmp_path / "var"),
        "LINLI_SECRET_KEY": "test-secret-key",
        "WECHAT_TOKEN": "test-token",
        "WECHAT_AES_KEY": TEST_AES_KEY,
        "WECHAT_APPID": "wxtestappid00001",
    }
    base.update({k: v for k, v in env.items() if v is not None})
    return settings_module.load(config_file, env=base)


@pytest.fixture
def settings(config_file, database_url, tmp_path, wechat_api):
    """Settings with WeChat credentials pointing at the local API stand-in."""
    wechat_api.reset()
    return make_settings(
        config_file, database_url, tmp_path, WECHAT_SECRET="test-secret", WECHAT_API_BASE_URL=wechat_api.base_url
    )


@pytest.fixture
def services(settings, interpreter, clock):
    services = bootstrap(settings, interpreter=interpreter, clock=clock)
    yield services
    services.close()


@pytest.fixture
def app(services):
    from bot.app import create_app

    app = create_app(services=services)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def wechat(client, settings) -> WeChatActions:
    return WeChatActions(client, settings)
