"""Alembic environment: runs on the connection handed in by storage.migrate (or makes one)."""
from alembic import context

from storage.db import make_engine
from storage.models import APSCHEDULER_TABLE, Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        _run(connection)
    engine.dispose()


def include_name(name, type_, parent_names) -> bool:
    """APScheduler owns its job table; autogenerate must not try to drop it."""
    return not (type_ == "table" and name == APSCHEDULER_TABLE)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
