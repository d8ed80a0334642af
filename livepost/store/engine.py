"""Opening the database: URL normalization, SQLite pragmas, automatic migrations, clear errors.

The default database is a SQLite file in the event folder; ``LIVEPOST_DATABASE_URL`` may point at
PostgreSQL instead. Whatever goes wrong while opening becomes a :class:`StoreError` that names the
database (password masked) and says what to do.

Alembic is imported only when the schema needs an upgrade: a database already at
:data:`HEAD_REVISION` is recognised by one plain SELECT on ``alembic_version`` (importing Alembic
costs more than the rest of a command).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from livepost.errors import ConcurrentChange, StoreError
from livepost.store.revision import HEAD_REVISION as _HEAD

if TYPE_CHECKING:
    from alembic.config import Config

#: the newest revision in ``migrations/versions`` (kept in ``revision.py``, which costs nothing
#: to import); a test keeps it equal to Alembic's head
HEAD_REVISION = _HEAD
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_CONNECT_TIMEOUT_S = 10
_LOCK_KEY = 0x6C697665706F7374  # 'livepost': the advisory lock held while migrating

_URL_HINT = (
    "Use sqlite:///path/to/livepost.db or postgresql://user:password@host/dbname "
    "in LIVEPOST_DATABASE_URL."
)
_POSTGRES_HINT = (
    "Check LIVEPOST_DATABASE_URL (host, port, user name, password, database name) "
    "and that the PostgreSQL server is running and reachable."
)


def mask_url(url: str | URL) -> str:
    """The URL as it may be shown to a user: any password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise StoreError(
            f"{mask_url(url)!r} is not a database URL",
            hint=_URL_HINT,
        ) from None


def normalize_url(url: str) -> URL:
    """Parse ``url``; plain ``postgresql://`` (and ``postgres://``) get the psycopg 3 driver."""
    parsed = _parse(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def alembic_config(connection: Any = None) -> Config:
    """An Alembic ``Config`` built in code (no ``alembic.ini``), for our migrations folder."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        _switch_to_wal(cursor)
    finally:
        cursor.close()


def _fully_durable(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Every use of a pooled connection starts fully durable (see ``session_scope(durable=)``)."""
    dbapi_connection.execute("PRAGMA synchronous=FULL")


def _switch_to_wal(cursor: Any) -> None:
    """WAL journaling. Switching a brand-new file needs it to itself, and SQLite answers "database
    is locked" at once (no busy handler) when another process switches it at the same moment: wait
    for that one, as the busy timeout would."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _create_engine(url: URL, shown: str) -> Engine:
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"cannot open the database {shown}: livepost works with SQLite and PostgreSQL only",
            hint=_URL_HINT,
        )
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    try:
        engine = create_engine(url, connect_args=connect_args)
    except NoSuchModuleError:
        raise StoreError(
            f"cannot open the database {shown}: unknown driver {url.drivername!r}",
            hint=_URL_HINT,
        ) from None
    except ImportError as exc:
        if backend == "postgresql":
            raise StoreError(
                f"cannot open the database {shown}: the PostgreSQL driver (psycopg) "
                "is not installed",
                hint="Install it: pip install 'livepost[postgres]'",
            ) from exc
        raise StoreError(
            f"cannot open the database {shown}: its driver is not installed ({exc})",
            hint="Install the database driver named in LIVEPOST_DATABASE_URL.",
        ) from exc
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkout", _fully_durable)
    return engine


#: what SQLite's terse errors mean for the person reading them, and what to do
_SQLITE_CAUSES = (
    (
        "database is locked",
        "the database is locked by another program",
        "Another program is writing to it (a second livepost, a database browser?). Close it or "
        "wait a moment, then try again; nothing was lost.",
    ),
    (
        "disk is full",
        "the disk is full",
        "Free some space on the disk, then try again; nothing was lost.",
    ),
    (
        "disk I/O error",
        "the disk refused to write (full, removed or failing)",
        "Free some space or check the disk, then try again; nothing was lost.",
    ),
)


def explain(reason: str) -> tuple[str, str] | None:
    """(What happened, what to do) for a database error a person can act on; None otherwise."""
    for marker, what, hint in _SQLITE_CAUSES:
        if marker in reason:
            return what, hint
    return None


def _connect_error(url: URL, shown: str, exc: DBAPIError) -> StoreError:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    known = explain(reason)
    if known is not None:
        return StoreError(f"cannot open the database {shown}: {known[0]}", hint=known[1])
    if url.get_backend_name() == "sqlite":
        folder = Path(url.database or "").parent
        return StoreError(
            f"cannot open the database {shown}: {reason}",
            hint=f"Check that the folder {folder} exists and that you may write to it, "
            "or set LIVEPOST_DATABASE_URL to another database.",
        )
    return StoreError(
        f"cannot connect to the database {shown}",
        hint=f"{_POSTGRES_HINT} ({reason})",
    )


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is already there).

    Migrations hold a lock for their whole transaction, so that two livepost processes starting
    at once on a fresh database (the scheduler and a command) migrate one after the other instead
    of both creating the same tables: ``BEGIN IMMEDIATE`` on SQLite (whose driver would otherwise
    run each CREATE TABLE outside any transaction), an advisory lock on PostgreSQL.
    """
    from alembic import command

    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
                command.upgrade(alembic_config(connection), "head")
            return
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        legacy = driver.isolation_level
        driver.isolation_level = None  # the driver issues no BEGIN/COMMIT of its own now
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                command.upgrade(alembic_config(connection), "head")
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")
            connection.commit()  # ends SQLAlchemy's own (empty) transaction
        finally:
            driver.isolation_level = legacy


def schema_revision(engine: Engine) -> str | None:
    """The revision recorded in ``alembic_version``; None when there is none (or several)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:  # no such table yet: a fresh database
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def open_database(url: str) -> Engine:
    """Connect to ``url``, migrate it to the newest schema and return the engine.

    SQLite connections get WAL journaling (readers do not block the writer), foreign keys and a
    busy timeout, on every connection of the pool.
    """
    shown = mask_url(_parse(url))  # as the user wrote it, so that they recognise it
    parsed = normalize_url(url)
    engine = _create_engine(parsed, shown)
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        raise _connect_error(parsed, shown, exc) from exc
    if schema_revision(engine) != HEAD_REVISION:
        _migrate_or_explain(engine, shown)
    return engine


def _migrate_or_explain(engine: Engine, shown: str) -> None:
    from alembic.util.exc import CommandError

    try:
        migrate(engine)
    except CommandError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot migrate the database {shown}: {exc}",
            hint="This database was probably written by a newer livepost: upgrade livepost "
            "(pip install -U livepost) or point LIVEPOST_DATABASE_URL at another database.",
        ) from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        known = explain(reason)
        if known is not None:
            raise StoreError(
                f"cannot migrate the database {shown}: {known[0]}", hint=known[1]
            ) from exc
        raise StoreError(
            f"cannot migrate the database {shown}: {reason}",
            hint="Check that the database user may create tables, then try again.",
        ) from exc


@contextmanager
def session_scope(engine: Engine, *, durable: bool = True) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back (nothing kept) on any error.

    Database failures (locked file, lost connection) become a :class:`StoreError`.

    ``durable=False`` is for writes that can be lost to a power cut without harm because they are
    checked again after a restart: the states delivery moves a post through (a post whose
    ``sending`` or ``posted`` was lost is looked up on the PDS by its record key). On SQLite such a
    commit skips the disk flush (``synchronous=NORMAL`` in WAL mode: never corrupt, durable across
    a crash of livepost, only the last commits can roll back on a power cut). Everything people
    write (queued posts, edits) stays fully durable.
    """
    session = Session(engine, expire_on_commit=False)
    relaxed = not durable and engine.dialect.name == "sqlite"
    try:
        if relaxed:
            session.connection().exec_driver_sql("PRAGMA synchronous=NORMAL")
        yield session
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise ConcurrentChange(
            "a post changed while this change was being made (sent, or edited elsewhere)",
            hint="Nothing was saved. Look at it again and repeat the change if it still applies.",
        ) from exc
    except DBAPIError as exc:
        session.rollback()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        known = explain(reason)
        if known is not None:
            raise StoreError(
                f"the database {mask_url(engine.url)} refused a change: {known[0]}",
                hint="Nothing was saved. " + known[1].replace("; nothing was lost", ""),
            ) from exc
        raise StoreError(
            f"the database {mask_url(engine.url)} refused a change: {reason}",
            hint="Nothing was saved. Try again; if it keeps failing, run 'livepost doctor'.",
        ) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
