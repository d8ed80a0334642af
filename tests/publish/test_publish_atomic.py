"""Atomic threads on the real local network: one ``applyWrites`` call per ready thread.

A thread due as a whole goes out in one call whose reply refs point at CIDs computed before the
call; the PDS must give exactly those CIDs. A thread the PDS refuses goes post by post (the bad
post fails alone); a publisher killed between the call and the database update finds its posts
on the PDS when it restarts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from atproto import Client
from PIL import Image

from livepost.bluesky.publisher import BlueskyPublisher
from livepost.config import Settings
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.outbox.queries import Draft, add_post, add_thread, list_posts
from livepost.publish.cid import record_cid
from livepost.publish.delivery import DeliveryReport, deliver_due
from livepost.publish.records import Media
from livepost.run.assemble import make_publisher
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow
from livepost.store.talks import ensure_event
from tests.publish_helpers import NOW, T0, composed_draft, make_event
from tests.publish_worker import CRASH_ENV

REPO = Path(__file__).resolve().parents[2]
POST = "app.bsky.feed.post"


def _event(folder: Path, network: LocalNetwork, account: str = "alice") -> Settings:
    settings = make_event(folder, network, account)
    toml = folder / "livepost.toml"
    toml.write_text(toml.read_text() + "\n[plan]\natomic_threads = true\n")
    acct = network.account(account)
    from livepost.config import load_settings

    settings = load_settings(
        folder,
        environ={
            "LIVEPOST_SERVICE": network.pds_url,
            "LIVEPOST_HANDLE": acct.handle,
            "LIVEPOST_APP_PASSWORD": acct.app_password,
        },
    )
    assert settings.plan.atomic_threads is True
    return settings


def _queue(settings: Settings, drafts: list[Draft], parent_key: str | None = None) -> Any:
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Conf", "Europe/London")
        parent = None
        if parent_key is not None:
            parent = next(r for r in list_posts(session, event) if r.key == parent_key)
        add_thread(session, event, drafts, parent=parent)
    return engine


def _rows(engine: Any, settings: Settings) -> list[OutboxRow]:
    with session_scope(engine) as session:
        rows = list_posts(session, ensure_event(session, settings.event_key, "Conf", "UTC"))
        session.expunge_all()
    return rows


class Calls:
    """Counts the XRPC procedures a real publisher's client sends (by NSID)."""

    def __init__(self, publisher: BlueskyPublisher) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        client = publisher.client
        original = client.invoke_procedure

        def counting(nsid: str, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(nsid, *args, **kwargs)
            finally:
                self.counts[nsid.rsplit(".", 1)[-1]] += 1
                self.seconds[nsid.rsplit(".", 1)[-1]] += time.perf_counter() - started

        client.invoke_procedure = counting  # type: ignore[method-assign]


def _deliver(settings: Settings, engine: Any, **kwargs: Any) -> tuple[DeliveryReport, Counter[str]]:
    publisher = make_publisher(settings)
    assert isinstance(publisher, BlueskyPublisher)
    calls = Calls(publisher)
    try:
        report = deliver_due(
            engine,
            settings.event_key,
            publisher,
            now=NOW,
            atomic_threads=settings.plan.atomic_threads,
            media=Media(base_dir=settings.event_dir, link_cards=False),
            **kwargs,
        )
    finally:
        publisher.close()
    return report, calls.counts


def _raw_record(network: LocalNetwork, did: str, rkey: str) -> dict[str, Any]:
    """getRecord's JSON as the PDS sends it (no SDK models in between)."""
    response = httpx.get(
        f"{network.pds_url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": did, "collection": POST, "rkey": rkey},
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def _check_thread_on_pds(network: LocalNetwork, did: str, rows: list[OutboxRow]) -> None:
    """Every row's record holds the CID computed locally; replies point at root and parent."""
    by_id = {row.id: row for row in rows}
    for row in rows:
        raw = _raw_record(network, did, row.rkey)
        assert (raw["uri"], raw["cid"]) == (row.uri, row.cid)
        assert record_cid(raw["value"]) == row.cid
        if row.parent_id is None:
            assert "reply" not in raw["value"]
            continue
        parent, root = by_id[row.parent_id], by_id[row.root_id or row.parent_id]
        reply = raw["value"]["reply"]  # createRecord's SDK models add "$type" to the refs
        refs = {name: (reply[name]["uri"], reply[name]["cid"]) for name in ("root", "parent")}
        assert refs == {"root": (root.uri, root.cid), "parent": (parent.uri, parent.cid)}


def _chain(network: LocalNetwork, root_uri: str) -> list[str]:
    network.process_all()
    reader = Client(network.pds_url)
    account = network.account("alice")
    reader.login(account.handle, account.password, fetch_bsky_profile=False)
    node = reader.app.bsky.feed.get_post_thread({"uri": root_uri, "depth": 10}).thread
    chain = []
    while node is not None:
        chain.append(node.post.uri)
        node = node.replies[0] if node.replies else None
    return chain


def test_four_part_thread_goes_out_in_one_apply_writes(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    settings = _event(tmp_path / "event", bluesky_network)
    engine = _queue(
        settings,
        [
            composed_draft("long/1", "Part one with @bob.test and #keynote", tags=["livepost"]),
            composed_draft("long/2", "Part two: slides at https://example.com/slides", 0),
            composed_draft("long/3", "Part three, café ☕ naïve #ünïcode", 1),
            composed_draft("long/4", "Part four 🎉 the end", 1),
        ],
    )
    report, calls = _deliver(settings, engine)
    assert report.threads == [["long/1", "long/2", "long/3", "long/4"]]
    assert [o.key for o in report.posted] == ["long/1", "long/2", "long/3", "long/4"]
    assert report.warnings == [] and report.fallbacks == [] and report.failed == []
    assert calls == {"applyWrites": 1}  # no createRecord at all

    alice = bluesky_network.account("alice")
    rows = _rows(engine, settings)
    assert all(r.state == "posted" and r.last_error is None for r in rows)
    assert [r.uri for r in rows] == [f"at://{alice.did}/{POST}/{r.rkey}" for r in rows]
    _check_thread_on_pds(bluesky_network, alice.did, rows)
    first = _raw_record(bluesky_network, alice.did, rows[0].rkey)["value"]
    assert first["tags"] == ["livepost"] and first["langs"] == ["en-GB"]
    mention = next(f for f in first["facets"] if f["features"][0]["$type"].endswith("#mention"))
    assert mention["features"][0]["did"] == bluesky_network.account("bob").did
    assert _chain(bluesky_network, rows[0].uri) == [r.uri for r in rows]


def test_thread_with_images_under_a_posted_announcement(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    settings = _event(tmp_path / "event", bluesky_network)
    Image.new("RGB", (800, 600), "red").save(settings.event_dir / "one.jpg")
    Image.new("RGB", (300, 600), "blue").save(settings.event_dir / "two.png")
    engine = _queue(settings, [composed_draft("announce", "The keynote starts now")])
    report, calls = _deliver(settings, engine)  # alone: an ordinary createRecord
    assert [o.key for o in report.posted] == ["announce"] and report.threads == []
    assert calls == {"createRecord": 1}

    engine = _queue(
        settings,
        [
            composed_draft(
                "snip/1",
                "First note, with a picture",
                5,
                embed={"images": [{"path": "one.jpg", "alt": "A red slide"}]},
            ),
            composed_draft(
                "snip/2",
                "Second note, two pictures",
                5,
                embed={
                    "images": [
                        {"path": "two.png", "alt": "A blue slide"},
                        {"path": "one.jpg", "alt": "The red slide again"},
                    ]
                },
            ),
            composed_draft("snip/3", "Third note, words only", 6),
        ],
        parent_key="announce",
    )
    report, calls = _deliver(settings, engine)
    assert report.threads == [["snip/1", "snip/2", "snip/3"]]
    assert report.warnings == [] and report.fallbacks == []
    assert calls == {"uploadBlob": 3, "applyWrites": 1}

    alice = bluesky_network.account("alice")
    rows = _rows(engine, settings)
    assert [r.key for r in rows] == ["announce", "snip/1", "snip/2", "snip/3"]
    _check_thread_on_pds(bluesky_network, alice.did, rows)
    second = _raw_record(bluesky_network, alice.did, rows[2].rkey)["value"]
    images = second["embed"]["images"]
    assert [(i["alt"], i["aspectRatio"]) for i in images] == [
        ("A blue slide", {"width": 300, "height": 600}),
        ("The red slide again", {"width": 800, "height": 600}),
    ]
    assert images[0]["image"]["mimeType"] == "image/png"
    assert second["reply"]["root"] == {"uri": rows[0].uri, "cid": rows[0].cid}
    assert _chain(bluesky_network, rows[0].uri) == [r.uri for r in rows]


def test_a_refused_thread_goes_post_by_post_and_the_bad_post_fails_alone(
    bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    settings = _event(tmp_path / "event", bluesky_network)
    too_long = Draft(key="bad/3", kind="snippet", due_at=T0, text="x " * 200, langs=["en-GB"])
    engine = _queue(
        settings,
        [
            composed_draft("bad/1", "One"),
            composed_draft("bad/2", "Two"),
            too_long,
            composed_draft("bad/4", "Four, under the bad one"),
        ],
    )
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Conf", "UTC")
        add_post(session, event, composed_draft("solo", "An independent post", 2))
    report, calls = _deliver(settings, engine)
    invalid = (
        "InvalidRequest: Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 400)"
    )
    batch_reason = f"applyWrites: {invalid} at $.writes[2].record.text"
    reason = f"createRecord: {invalid} at $.record.text"
    assert [(o.key, o.detail) for o in report.fallbacks] == [("bad/1", batch_reason)]
    assert report.threads == []
    assert [o.key for o in report.posted] == ["bad/1", "bad/2", "solo"]
    assert [(o.key, o.detail) for o in report.failed] == [("bad/3", reason)]
    assert [o.key for o in report.waiting] == ["bad/4"]
    assert calls == {"applyWrites": 1, "createRecord": 4}
    states = {r.key: (r.state, r.last_error) for r in _rows(engine, settings)}
    assert states == {
        "bad/1": ("posted", None),
        "bad/2": ("posted", None),
        "bad/3": ("failed", reason),
        "bad/4": ("queued", f"sent post by post: {batch_reason}"),
        "solo": ("posted", None),
    }
    alice = bluesky_network.account("alice")
    _check_thread_on_pds(
        bluesky_network, alice.did, [r for r in _rows(engine, settings) if r.state == "posted"]
    )


def _worker(folder: Path, env: dict[str, str], crash: str | None) -> int:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    environ.update(env)
    if crash:
        environ[CRASH_ENV] = crash
    process = subprocess.run(
        [sys.executable, "-m", "tests.publish_worker", str(folder)],
        cwd=REPO,
        env=environ,
        capture_output=True,
        timeout=120,
    )
    if process.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(f"worker failed ({process.returncode}): {process.stderr[-2000:]!r}")
    return process.returncode


def _all_texts(did: str, network: LocalNetwork) -> Counter[str]:
    texts: Counter[str] = Counter()
    client, cursor = Client(network.pds_url), None
    while True:
        params = {"repo": did, "collection": POST, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = client.com.atproto.repo.list_records(params)
        texts.update(record.value.text for record in page.records)
        cursor = page.cursor
        if not cursor or not page.records:
            return texts


@pytest.mark.parametrize(
    ("crash", "recovered"), [("after_create", True), ("after_mark_sending", False)]
)
def test_killed_between_the_call_and_the_database_update(
    bluesky_network: LocalNetwork, tmp_path: Path, crash: str, recovered: bool
) -> None:
    folder = tmp_path / "event"
    settings = _event(folder, bluesky_network, "bob")
    texts = [f"{crash} part {n}" for n in range(1, 5)]
    engine = _queue(settings, [composed_draft(f"c/{n}", text) for n, text in enumerate(texts, 1)])
    due = datetime.now(UTC) - timedelta(minutes=1)  # the worker delivers at the real now
    with session_scope(engine) as session:
        for row in list_posts(session, ensure_event(session, settings.event_key, "Conf", "UTC")):
            row.due_at = due
    bob = bluesky_network.account("bob")
    env = {
        "LIVEPOST_SERVICE": bluesky_network.pds_url,
        "LIVEPOST_HANDLE": bob.handle,
        "LIVEPOST_APP_PASSWORD": bob.app_password,
    }
    assert _worker(folder, env, crash) == -signal.SIGKILL
    with session_scope(engine) as session:
        rows = list_posts(session, ensure_event(session, settings.event_key, "Conf", "UTC"))
        assert [r.state for r in rows] == ["sending"] * 4
        rkeys = [r.rkey for r in rows]
    present = [
        httpx.get(
            f"{bluesky_network.pds_url}/xrpc/com.atproto.repo.getRecord",
            params={"repo": bob.did, "collection": POST, "rkey": rkey},
        ).status_code
        == 200
        for rkey in rkeys
    ]
    assert present == [recovered] * 4  # all or nothing

    assert _worker(folder, env, None) == 0
    with session_scope(engine) as session:
        rows = list_posts(session, ensure_event(session, settings.event_key, "Conf", "UTC"))
        session.expunge_all()
    assert [(r.key, r.state, r.attempts) for r in rows] == [
        (f"c/{n}", "posted", 1 if recovered else 2) for n in range(1, 5)
    ]
    on_pds = _all_texts(bob.did, bluesky_network)
    assert [on_pds[r.text] for r in rows] == [1, 1, 1, 1]  # nothing doubled
    _check_thread_on_pds(bluesky_network, bob.did, rows)
