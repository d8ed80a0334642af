"""Shared fixtures: real databases (a SQLite file, a throwaway PostgreSQL server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.network_fixtures"]  # bluesky_network, bluesky_network_rate_limited

# --- markers -------------------------------------------------------------------------------------

# A test that uses one of these fixtures (directly or through another fixture) starts that server,
# so it gets the marker and ``-m "not network and not postgres"`` starts neither. Tests that start
# a server some other way (``local_network()``, ``temporary_postgres()``) are marked by hand.
NETWORK_FIXTURES = frozenset({"bluesky_network", "bluesky_network_rate_limited"})
POSTGRES_FIXTURES = frozenset({"postgres_server", "postgres_url"})


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook deselects by -m
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test whose fixture closure starts the Bluesky network or PostgreSQL."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & NETWORK_FIXTURES:
            item.add_marker(pytest.mark.network)
        if names & POSTGRES_FIXTURES:
            item.add_marker(pytest.mark.postgres)


# --- databases -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One PostgreSQL server for the whole run: ``postgresql://postgres@127.0.0.1:PORT/postgres``.

    Skips the test when the PostgreSQL binaries are not installed.
    """
    from livepost.devtools.postgres import find_binary, temporary_postgres
    from livepost.errors import ConfigError

    try:
        find_binary("initdb")
        find_binary("pg_ctl")
    except ConfigError as exc:
        pytest.skip(exc.message)
    with temporary_postgres() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    from sqlalchemy import create_engine, text

    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(
        postgres_server.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield f"{postgres_server.rsplit('/', 1)[0]}/{name}"
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes this runs twice: on a SQLite file in tmp_path, on fresh PostgreSQL."""
    if request.param == "sqlite":
        from livepost.config import default_database_url

        return default_database_url(tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    return url


# --- event folders -------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def demo_event(tmp_path: Path) -> Path:
    """A private copy of the bundled demo event (schedules/ccprconf26), not yet imported."""
    import shutil

    target = tmp_path / "ccprconf26"
    shutil.copytree(REPO / "schedules" / "ccprconf26", target)
    return target


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB file system of its own (tmpfs) to fill up, where the machine allows mounting one."""
    import subprocess

    where = tmp_path / "disk"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def fill_disk(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte; returns the filler file to delete."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:  # nothing left buffered to fail at close
        block = b"\0" * 65536
        try:
            while True:
                out.write(block)
                out.flush()
        except OSError:
            pass
    return filler
