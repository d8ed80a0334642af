"""Storage: SQLAlchemy models, the engine (SQLite by default, PostgreSQL optional), Alembic
migrations applied automatically, and the read/write functions of each kind of data.

Importing this package is cheap only if callers import the submodules they need lazily: the CLI
imports ``livepost.store.engine`` inside its commands, never at module level.
"""
