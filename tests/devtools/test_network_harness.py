"""The local Bluesky network harness: real PLC + PDS + AppView, and nothing left behind after it.

These tests also pin facts the publisher relies on: a caller-chosen rkey is kept, and a second
createRecord at the same rkey fails with HTTP 500 ``InternalServerError``.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from atproto import Client, models
from atproto.exceptions import RequestException

from livepost.devtools.bluesky_network import LocalNetwork, local_network, render_ready
from livepost.errors import NetworkError
from tests.network_fixtures import bluesky_network, bluesky_network_rate_limited

__all__ = ["bluesky_network", "bluesky_network_rate_limited"]  # fixtures, imported for pytest

pytestmark = pytest.mark.network

_B32 = "234567abcdefghijklmnopqrstuvwxyz"


def make_tid(micros: int, clock_id: int = 0) -> str:
    """A record key of type tid: 53-bit microseconds + 10-bit clock id, base32-sortable."""
    value = (micros << 10) | clock_id
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def post_record(text: str) -> dict[str, Any]:
    return {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "langs": ["en-GB"],
    }


def create_post(client: Client, did: str, rkey: str, text: str) -> Any:
    return client.com.atproto.repo.create_record(
        models.ComAtprotoRepoCreateRecord.Data(
            repo=did, collection="app.bsky.feed.post", rkey=rkey, record=post_record(text)
        )
    )


def login(network: LocalNetwork, name: str) -> Client:
    account = network.account(name)
    client = Client(base_url=network.pds_url)
    client.login(account.handle, account.password)
    return client


def port_open(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex((parts.hostname or "", parts.port or 0)) == 0


def test_make_tid_matches_the_record_key_rules() -> None:
    assert make_tid(0) == "2222222222222"
    tid = make_tid(1_763_820_000_000_000, 5)
    assert len(tid) == 13
    assert tid[0] in "234567abcdefghij"
    assert make_tid(1_763_820_000_000_001) > make_tid(1_763_820_000_000_000)


def test_accounts_are_created_with_passwords_and_app_passwords(
    bluesky_network: LocalNetwork,
) -> None:
    assert [a.handle for a in bluesky_network.accounts] == ["alice.test", "bob.test", "carol.test"]
    assert [a.password for a in bluesky_network.accounts] == [
        "alice-password",
        "bob-password",
        "carol-password",
    ]
    assert all(a.did.startswith("did:plc:") for a in bluesky_network.accounts)
    assert bluesky_network.pds_url.startswith("http://localhost:")
    assert bluesky_network.rate_limits is False
    carol = bluesky_network.account("carol")
    client = Client(base_url=bluesky_network.pds_url)
    profile = client.login(carol.handle, carol.app_password)
    assert profile.did == carol.did
    assert client.com.atproto.identity.resolve_handle({"handle": "bob.test"}).did == (
        bluesky_network.account("bob.test").did
    )


def test_every_server_listens_on_loopback_only(bluesky_network: LocalNetwork) -> None:
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
    inodes = {
        os.readlink(f"/proc/{bluesky_network.pid}/fd/{fd}")
        for fd in os.listdir(f"/proc/{bluesky_network.pid}/fd")
    }
    ours = [
        line.split()
        for line in listening
        if line.split()[3] == "0A" and f"socket:[{line.split()[9]}]" in inodes
    ]
    assert len(ours) >= 4  # plc, pds, appview, ozone (+ the AppView's internal servers)
    assert {fields[1].split(":")[0] for fields in ours} == {"0100007F"}  # 127.0.0.1
    assert not any(
        f"socket:[{line.split()[9]}]" in inodes and line.split()[3] == "0A"
        for line in Path("/proc/net/tcp6").read_text().splitlines()[1:]
    )


def test_post_with_chosen_rkey_like_and_appview_counts(bluesky_network: LocalNetwork) -> None:
    alice = bluesky_network.account("alice")
    client = login(bluesky_network, "alice")
    rkey = make_tid(time.time_ns() // 1000, 7)
    created = create_post(client, alice.did, rkey, "Harness check #ccprconf26")
    assert created.uri == f"at://{alice.did}/app.bsky.feed.post/{rkey}"

    stored = client.com.atproto.repo.get_record(
        {"repo": alice.did, "collection": "app.bsky.feed.post", "rkey": rkey}
    )
    assert stored.uri == created.uri
    assert stored.cid == created.cid
    assert stored.value.text == "Harness check #ccprconf26"
    assert stored.value.langs == ["en-GB"]

    bob = login(bluesky_network, "bob")
    bob.like(created.uri, created.cid)
    bluesky_network.process_all()

    posts = client.app.bsky.feed.get_posts({"uris": [created.uri]}).posts
    assert [(p.uri, p.cid, p.like_count, p.author.handle) for p in posts] == [
        (created.uri, created.cid, 1, "alice.test")
    ]

    # The same rkey a second time: HTTP 500 InternalServerError, a plain RequestException.
    with pytest.raises(RequestException) as raised:
        create_post(client, alice.did, rkey, "A second post at the same key")
    response = raised.value.response
    assert type(raised.value) is RequestException
    assert response.status_code == 500
    assert (response.content.error, response.content.message) == (
        "InternalServerError",
        "Internal Server Error",
    )
    # ... and the first record is untouched.
    again = client.com.atproto.repo.get_record(
        {"repo": alice.did, "collection": "app.bsky.feed.post", "rkey": rkey}
    )
    assert (again.cid, again.value.text) == (created.cid, "Harness check #ccprconf26")


def test_render_ready_prints_a_dotenv_snippet(bluesky_network: LocalNetwork) -> None:
    alice = bluesky_network.account("alice")
    text = render_ready(bluesky_network)
    assert f"  PDS:      {bluesky_network.pds_url}\n" in text
    snippet = (
        f"LIVEPOST_SERVICE={bluesky_network.pds_url}\n"
        f"LIVEPOST_HANDLE=alice.test\n"
        f"LIVEPOST_APP_PASSWORD={alice.app_password}\n"
    )
    assert snippet in text
    assert f"  bob.test       {bluesky_network.account('bob').did}  bob-password  " in text
    assert text.endswith("Press Ctrl-C to stop.")


def test_rate_limits_switch_on_the_pds_limits(
    bluesky_network: LocalNetwork, bluesky_network_rate_limited: LocalNetwork
) -> None:
    """createSession: 30 per 5 minutes per identifier, then 429 with the RateLimit headers."""
    limited = bluesky_network_rate_limited
    assert limited.rate_limits is True
    body = {"identifier": "dave.test", "password": "wrong"}
    with httpx.Client(base_url=limited.pds_url, timeout=30) as http:
        first = http.post("/xrpc/com.atproto.server.createSession", json=body)
        assert first.status_code == 401
        assert first.headers["RateLimit-Limit"] == "30"
        assert first.headers["RateLimit-Remaining"] == "29"
        statuses = [
            http.post("/xrpc/com.atproto.server.createSession", json=body).status_code
            for _ in range(30)
        ]
        assert statuses == [401] * 29 + [429]
        limited_answer = http.post("/xrpc/com.atproto.server.createSession", json=body)
        assert limited_answer.status_code == 429
        assert limited_answer.json()["error"] == "RateLimitExceeded"
        assert int(limited_answer.headers["RateLimit-Reset"]) > time.time()
    with httpx.Client(base_url=bluesky_network.pds_url, timeout=30) as http:
        unlimited = http.post(
            "/xrpc/com.atproto.server.createSession",
            json={"identifier": "alice.test", "password": "wrong"},
        )
        assert unlimited.status_code == 401
        assert "RateLimit-Limit" not in unlimited.headers


def test_nothing_is_left_behind() -> None:
    with local_network(("erin",)) as network:
        pid, folder, pds_url = network.pid, network.tmpdir, network.pds_url
        database_port = network.database_url.rsplit(":", 1)[1].split("/")[0]
        assert Path(f"/proc/{pid}").exists()
        assert folder.is_dir()
        assert port_open(pds_url)
        assert port_open(f"http://127.0.0.1:{database_port}")
    assert not Path(f"/proc/{pid}").exists()
    assert not folder.exists()
    assert not port_open(pds_url)
    assert not port_open(f"http://127.0.0.1:{database_port}")


def test_a_failed_start_says_why_and_leaves_nothing_behind(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    before = set(Path(tempfile.gettempdir()).glob("livepost-network-*"))
    with (
        pytest.raises(NetworkError) as raised,
        local_network(database_url=f"postgresql://postgres@127.0.0.1:{closed_port}/postgres"),
    ):
        pytest.fail("the network must not start without its database")
    message = str(raised.value)
    assert message.startswith("The local Bluesky network failed to start: ")
    assert "ECONNREFUSED" in message
    assert "Node's last words:\n" in message
    after = set(Path(tempfile.gettempdir()).glob("livepost-network-*"))
    assert after <= before
