"""Persistence: SQLAlchemy models, engine and sessions, repositories, the unit of work, migrations."""
