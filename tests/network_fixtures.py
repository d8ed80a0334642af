"""Session fixtures for the real local Bluesky network (PLC + PDS + AppView on 127.0.0.1).

Each network starts at most once per test session, and only when a test asks for it. Import the
fixtures where they are needed (``from tests.network_fixtures import bluesky_network``) or
register this module from ``tests/conftest.py`` with ``pytest_plugins``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from livepost.devtools.bluesky_network import LocalNetwork, local_network


def _require_node() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are needed for the local Bluesky network")


@pytest.fixture(scope="session")
def bluesky_network() -> Iterator[LocalNetwork]:
    """A network with alice.test, bob.test and carol.test; PDS rate limits off."""
    _require_node()
    with local_network(("alice", "bob", "carol")) as network:
        yield network


@pytest.fixture(scope="session")
def bluesky_network_rate_limited() -> Iterator[LocalNetwork]:
    """A second network whose PDS enforces Bluesky's real rate limits; account dave.test."""
    _require_node()
    with local_network(("dave",), rate_limits=True) as network:
        yield network
