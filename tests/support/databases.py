"""Fresh, migrated and seeded databases for tests: SQLite always, PostgreSQL when it answers."""
from __future__ import annotations

import itertools
import os
import shutil
from functools import cache
from pathlib import Path

PG_ADMIN_URL = os.environ.get("LINLI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@cache
def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(_libpq(PG_ADMIN_URL), connect_timeout=2):
            return True
    except Exception:
        return False


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(PG_ADMIN_URL), autocommit=True) as connection:
        connection.execute(statement)


class DatabaseTemplates:
    """Builds one migrated+seeded template per backend, then hands out cheap copies of it."""

    def __init__(self, workdir: Path, community_config: dict):
        self.workdir = workdir
        self.community_config = community_config
        self._templates: dict[str, str] = {}
        self._numbers = itertools.count(1)
        self._prefix = f"linli_test_{os.getpid()}"

    def _prepare(self, url: str) -> None:
        from bot.seed import seed
        from storage.db import make_engine, make_session_factory
        from storage.migrate import upgrade

        upgrade(url)
        engine = make_engine(url)
        try:
            seed(make_session_factory(engine), self.community_config)
        finally:
            engine.dispose()

    def template(self, backend: str) -> str:
        if backend not in self._templates:
            if backend == "sqlite":
                url = f"sqlite:///{self.workdir / 'template.db'}"
            else:
                name = f"{self._prefix}_template"
                _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                _admin(f"CREATE DATABASE {name}")
                url = _with_database(PG_ADMIN_URL, name)
            self._prepare(url)
            self._templates[backend] = url
        return self._templates[backend]

    def fresh(self, backend: str, directory: Path) -> str:
        template = self.template(backend)
        if backend == "sqlite":
            target = directory / f"linli-{next(self._numbers)}.db"
            shutil.copyfile(template.removeprefix("sqlite:///"), target)
            return f"sqlite:///{target}"
        name = f"{self._prefix}_{next(self._numbers)}"
        _admin(f"CREATE DATABASE {name} TEMPLATE {template.rsplit('/', 1)[1]}")
        return _with_database(PG_ADMIN_URL, name)

    def drop(self, url: str) -> None:
        if url.startswith("postgresql"):
            _admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def close(self) -> None:
        for backend, url in self._templates.items():
            if backend != "sqlite":
                _admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
