"""The newest schema revision, apart from the engine so that a read-only command can compare it
without importing SQLAlchemy (a test keeps it equal to Alembic's head)."""

from __future__ import annotations

#: the newest revision in ``migrations/versions``
HEAD_REVISION = "0012"
