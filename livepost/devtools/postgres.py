"""A throwaway PostgreSQL server on 127.0.0.1, for tests and the local Bluesky network.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user (created if
missing) in a temporary data folder it owns. ``fsync`` is off: the data is disposable.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from livepost.errors import ConfigError

_SEARCH_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")


def find_binary(name: str) -> str:
    """Locate a PostgreSQL server binary (``initdb``, ``pg_ctl``)."""
    found = shutil.which(name)
    if found:
        return found
    for folder in _SEARCH_DIRS:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    raise ConfigError(
        f"PostgreSQL's {name} was not found",
        hint="Install the PostgreSQL server (Debian: apt-get install postgresql).",
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_as(user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--"] if user else []


def _ensure_postgres_user() -> str:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "postgres"],
            check=True,
            capture_output=True,
        )
    return "postgres"


START_ATTEMPTS = 5  # a port taken between free_port() and PostgreSQL's bind: try another


def _port_taken(log: Path) -> bool:
    """Whether PostgreSQL's log says it could not bind its port (another process took it)."""
    try:
        return "already in use" in log.read_text(errors="replace")
    except OSError:
        return False


@contextlib.contextmanager
def temporary_postgres(port: int | None = None) -> Iterator[str]:
    """Start PostgreSQL, yield ``postgresql://postgres@127.0.0.1:PORT/postgres``, then remove it.

    ``port`` is the first port tried. A free port is only free until someone binds it, so when
    the port turns out to be taken the server starts again on another one (the URL says which).
    """
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    user = _ensure_postgres_user() if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="livepost-pg-"))
    data = root / "data"
    try:
        if user:
            shutil.chown(root, user=user)
        root.chmod(0o700)
        subprocess.run(
            [
                *_run_as(user),
                initdb,
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        for attempt in range(1, START_ATTEMPTS + 1):
            port = port or free_port()
            log = root / f"log-{attempt}"
            options = (
                f"-c listen_addresses=127.0.0.1 -c port={port} -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off "
                f"-c unix_socket_directories={root}"
            )
            started = subprocess.run(
                [
                    *_run_as(user),
                    pg_ctl,
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "-l",
                    str(log),
                    "start",
                ],
                capture_output=True,
            )
            if started.returncode == 0:
                break
            if attempt == START_ATTEMPTS or not _port_taken(log):
                started.check_returncode()
            port = None
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                [*_run_as(user), pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
