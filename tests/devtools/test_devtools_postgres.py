"""The throwaway PostgreSQL server moves to another port when its port is taken at start-up."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import create_engine, text

from livepost.devtools.postgres import find_binary, temporary_postgres
from livepost.errors import ConfigError

pytestmark = pytest.mark.postgres  # starts its own server, not through the postgres_* fixtures


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    try:
        find_binary("initdb")
        find_binary("pg_ctl")
    except ConfigError as exc:
        pytest.skip(exc.message)


def test_a_taken_port_is_given_up_for_a_free_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with temporary_postgres(port) as url:
            assert f":{port}/" not in url
            engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            try:
                with engine.connect() as connection:
                    assert connection.execute(text("SELECT 1")).scalar() == 1
            finally:
                engine.dispose()
