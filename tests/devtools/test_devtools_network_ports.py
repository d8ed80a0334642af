"""The local network starts again on fresh ports when a port is taken before Node binds it.

A stand-in ``network.js`` listens on the ports it is given, as dev-env does, so no real network
(and no PostgreSQL) is started: these tests need Node.js only.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from livepost.devtools import bluesky_network
from livepost.devtools.bluesky_network import local_network
from livepost.errors import NetworkError

FAKE_NETWORK_JS = r"""
'use strict'
const net = require('node:net')
const args = process.argv.slice(2)
const ports = {}
for (let i = 0; i < args.length; i++) {
  if (args[i].endsWith('-port')) ports[args[i].slice(2, -5)] = Number(args[++i])
}
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const servers = []
Promise.all(Object.values(ports).map((port) => new Promise((resolve, reject) => {
  const server = net.createServer()
  servers.push(server)
  server.once('error', reject)
  server.listen(port, '127.0.0.1', resolve)
}))).then(() => {
  const url = (name) => `http://localhost:${ports[name]}`
  emit({ pds: url('pds'), plc: url('plc'), appview: url('bsky'), accounts: [] })
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
}, (err) => {
  console.error('network.js: the network failed to start:', err)
  emit({ error: String(err.message) })
  process.exit(1)
})
"""

DUMMY_DATABASE = "postgresql://postgres@127.0.0.1:1/postgres"  # never connected to


@pytest.fixture
def fake_harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("node") is None:
        pytest.skip("Node.js is needed")
    folder = tmp_path / "harness"
    folder.mkdir()
    (folder / "network.js").write_text(FAKE_NETWORK_JS, encoding="utf-8")
    monkeypatch.setattr(bluesky_network, "ensure_node_modules", lambda harness: None)
    return folder


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _first_ports(monkeypatch: pytest.MonkeyPatch, first: list[int]) -> None:
    """free_port() hands out ``first`` (as if taken meanwhile by someone else), then free ports."""
    real = bluesky_network.free_port
    monkeypatch.setattr(bluesky_network, "free_port", lambda: first.pop(0) if first else real())


def test_a_port_taken_before_node_binds_it_means_a_fresh_start(
    fake_harness: Path, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first_ports(monkeypatch, [taken_port])  # the PLC's port
    with local_network(harness=fake_harness, database_url=DUMMY_DATABASE) as network:
        assert f":{taken_port}" not in network.plc_url
        assert network.is_running()
        first_try = (network.tmpdir / "node.log").read_text(encoding="utf-8")
        assert "EADDRINUSE" in first_try


def test_it_gives_up_after_a_few_starts(
    fake_harness: Path, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first_ports(monkeypatch, [taken_port] * 4 * bluesky_network.START_ATTEMPTS)
    with (
        pytest.raises(NetworkError) as raised,
        local_network(harness=fake_harness, database_url=DUMMY_DATABASE),
    ):
        pytest.fail("the network must not start while its ports are taken")
    assert raised.value.message.startswith("The local Bluesky network failed to start: ")
    assert "EADDRINUSE" in raised.value.message
