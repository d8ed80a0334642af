"""Quick reads of a SQLite event database with the standard library alone.

The day's read-only commands (``queue list``, ``status``) run many times an hour; importing
SQLAlchemy and mapping the models costs more than everything else they do. When the database is
a SQLite file already at :data:`~livepost.store.revision.HEAD_REVISION` and the event has its row,
these functions read the same rows, in the same order, into plain objects with the attributes of
:class:`~livepost.store.models.OutboxRow` that readers use. Anything else (PostgreSQL, a database
to migrate, a first run) returns None and the caller takes the ordinary path.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from livepost.model.posts import PostState
from livepost.store.revision import HEAD_REVISION

_SQLITE_SCHEMES = ("sqlite://", "sqlite+pysqlite://")
_POST_COLUMNS = (
    "id, key, kind, origin, talk_id, due_at, state, text, embed, parent_id, root_id, uri, "
    "sent_at, edited, last_error, author, author_id, edited_by, edited_by_id, cancelled_by, "
    "cancelled_by_id"
)


@dataclass(frozen=True)
class QuickPost:
    """An outbox row as read here (the attributes ``post_json`` and ``status`` use)."""

    id: int
    key: str
    kind: str
    origin: str
    talk_id: str | None
    due_at: datetime
    state: PostState
    text: str
    embed: dict[str, Any] | None
    parent_id: int | None
    root_id: int | None
    uri: str | None
    sent_at: datetime | None
    edited: bool
    last_error: str | None
    author: str | None
    author_id: str | None
    edited_by: str | None
    edited_by_id: str | None
    cancelled_by: str | None
    cancelled_by_id: str | None


@dataclass(frozen=True)
class QuickAudit:
    """One line of the audit log."""

    at: datetime
    actor_id: str
    actor_name: str
    action: str
    target: str
    detail: str | None


def sqlite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL (None for anything else: memory, options)."""
    for scheme in _SQLITE_SCHEMES:
        if url.startswith(scheme + "/"):
            rest = url[len(scheme) + 1 :]
            if not rest or "?" in rest or rest == ":memory:":
                return None
            return Path(unquote(rest))
    return None


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class QuickReader:
    """An open SQLite database at the newest schema, read with ``sqlite3``."""

    def __init__(self, connection: sqlite3.Connection, database: Path) -> None:
        self.connection = connection
        self.database = database

    def close(self) -> None:
        self.connection.close()

    def event(self, key: str) -> tuple[int, bool] | None:
        """The event's id and whether it is paused (None: no row yet)."""
        row = self.connection.execute(
            "SELECT id, paused FROM events WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else (int(row[0]), bool(row[1]))

    def posts(self, event_id: int, states: Iterable[PostState] | None = None) -> list[QuickPost]:
        """The event's posts in ``states`` (all when None), in the order they are due."""
        query = f"SELECT {_POST_COLUMNS} FROM outbox WHERE event_id = ?"
        params: list[Any] = [event_id]
        if states is not None:
            wanted = sorted(PostState(s).value for s in states)
            query += f" AND state IN ({', '.join('?' * len(wanted))})"
            params += wanted
        query += " ORDER BY due_at, id"
        return [self._post(row) for row in self.connection.execute(query, params)]

    @staticmethod
    def _post(row: tuple[Any, ...]) -> QuickPost:
        (id_, key, kind, origin, talk_id, due_at, state, text, embed, parent_id, root_id, uri,
         sent_at, edited, last_error, *people) = row  # fmt: skip
        due = _moment(due_at)
        assert due is not None
        return QuickPost(
            int(id_), key, kind, origin, talk_id, due, PostState(state), text,
            json.loads(embed) if embed else None, parent_id, root_id, uri, _moment(sent_at),
            bool(edited), last_error, *people,
        )  # fmt: skip

    def counts(self, event_id: int) -> dict[PostState, int]:
        """How many posts are in each state (states with none left out)."""
        rows = self.connection.execute(
            "SELECT state, COUNT(id) FROM outbox WHERE event_id = ? GROUP BY state", (event_id,)
        )
        return {PostState(state): int(count) for state, count in rows}

    def recent_changes(self, event_id: int, limit: int) -> list[QuickAudit]:
        """The newest lines of the audit log first."""
        rows = self.connection.execute(
            "SELECT at, actor_id, actor_name, action, target, detail FROM audit_log "
            "WHERE event_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            (event_id, limit),
        )
        out = []
        for at, actor_id, actor_name, action, target, detail in rows:
            moment = _moment(at)
            assert moment is not None
            out.append(QuickAudit(moment, actor_id, actor_name, action, target, detail))
        return out


def open_quick(url: str) -> QuickReader | None:
    """A quick reader of ``url``, or None when the ordinary path must be taken (not a SQLite
    file, no file yet, a schema to migrate, or anything unexpected)."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(path, timeout=10)
    except sqlite3.Error:
        return None
    try:
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        connection.close()
        return None
    if versions != [(HEAD_REVISION,)]:
        connection.close()
        return None
    return QuickReader(connection, path)
