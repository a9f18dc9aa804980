"""INSERT … ON CONFLICT DO NOTHING for both dialects we run on."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflict(session: Session, model, values: dict, *, returning=None):
    """Insert a row unless its unique key exists; returns the `returning` column value, or None if it existed."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(model).values(**values).on_conflict_do_nothing()
    if returning is not None:
        return session.execute(stmt.returning(returning)).scalar_one_or_none()
    session.execute(stmt)
    return None
