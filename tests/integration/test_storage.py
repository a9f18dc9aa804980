"""The database layer: migrations match the models, seeding is idempotent, writers never collide."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

from bot import settings as settings_module
from bot.seed import ConfigError, seed
from storage.db import make_engine, make_session_factory
from storage.models import Base, Building, Community, Grid, Staff, Team
from storage.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]


def snapshot(url: str) -> dict[str, list]:
    """Every row of every table, for before/after comparisons."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(map(tuple, connection.execute(table.select()).all()), key=repr)
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def community_config() -> dict:
    return settings_module.load(ROOT / "config.yaml", env={"LINLI_VAR_DIR": "/tmp/linli-test-var"}).community


def test_the_migrations_create_exactly_what_the_models_describe(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.models import APSCHEDULER_TABLE

    engine = make_engine(database_url)
    skip_apscheduler = {"include_name": lambda name, type_, _: not (type_ == "table" and name == APSCHEDULER_TABLE)}
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=skip_apscheduler)
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_seeding_twice_changes_nothing(database_url):
    before = snapshot(database_url)  # the fixture database is already seeded once
    engine = make_engine(database_url)
    try:
        report = seed(make_session_factory(engine), community_config())
    finally:
        engine.dispose()

    assert not report.changed
    assert snapshot(database_url) == before


def test_the_demo_community_has_two_communities_six_grids_and_five_teams_each(database_url):
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            communities = session.scalars(select(Community)).all()
            assert len(communities) >= 2
            assert session.query(Grid).count() >= 6
            for community in communities:
                kinds = {t.kind for t in session.scalars(select(Team).where(Team.community_id == community.id))}
                assert kinds == {"engineering", "cleaning", "greening", "order", "care"}
            first = session.scalars(select(Community).order_by(Community.id)).first()
            numbers = {b.number for b in session.scalars(select(Building).where(Building.community_id == first.id))}
            assert {str(n) for n in range(1, 13)} <= numbers
            towers = session.scalars(select(Building).where(Building.number.in_(["A", "B"]))).all()
            assert sorted(b.label for b in towers) == ["A座", "B座"]  # config.yaml's "A-B"
            roles = {s.role for s in session.scalars(select(Staff))}
            assert {"grid_leader", "grid_worker", "building_leader", "butler", "volunteer", "mediator",
                    "community_staff", "street_staff", "department_staff"} <= roles
    finally:
        engine.dispose()


def test_a_person_listed_twice_with_different_roles_is_a_config_error(database_url):
    config = community_config()
    first = config["communities"][0]
    first["volunteers"].append({**first["grids"][0]["workers"][0], "grids": []})
    engine = make_engine(database_url)
    try:
        with pytest.raises(ConfigError, match="出现两次"):
            seed(make_session_factory(engine), config)
    finally:
        engine.dispose()


def test_a_building_range_that_is_neither_numbers_nor_letters_is_a_config_error(database_url):
    config = community_config()
    config["communities"][0]["grids"][0]["buildings"][0]["numbers"] = "1-C"
    engine = make_engine(database_url)
    try:
        with pytest.raises(ConfigError, match="1-C"):
            seed(make_session_factory(engine), config)
    finally:
        engine.dispose()


def test_someone_removed_from_config_is_kept_but_no_longer_active(database_url):
    config = community_config()
    config["communities"][0]["volunteers"].pop()
    engine = make_engine(database_url)
    try:
        seed(make_session_factory(engine), config)
        with make_session_factory(engine)() as session:
            assert session.scalars(select(Staff.active).where(Staff.openid == "o_xsj_vol3")).one() is False
    finally:
        engine.dispose()


def _take_numbers(url: str, count: int, queue) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    taken = []
    for _ in range(count):
        with UnitOfWork(factory) as uow:
            taken.append(uow.cases.next_sequence("R20261124"))
            uow.commit()
    engine.dispose()
    queue.put(taken)


def test_several_processes_writing_at_once_never_fail_and_never_share_a_case_number(database_url):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_take_numbers, args=(database_url, 40, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    assert all(worker.exitcode == 0 for worker in workers)
    numbers = sorted(n for result in results for n in result)
    assert numbers == list(range(1, 161))


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    finally:
        engine.dispose()


def test_the_database_has_every_table_after_linli_db_upgrade(database_url):
    engine = make_engine(database_url)
    try:
        tables = set(sa_inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
