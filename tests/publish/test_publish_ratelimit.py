"""Bluesky's real rate limits (PDS with ``rateLimitsEnabled``): met with waiting, nothing lost.

What is provoked for real here: the login limit (30 createSession per 5 minutes) and the write
limit (5,000 points an hour, 3 per create) on the account dave.test. The write limit resets an
hour later, so the test checks that livepost reads ``RateLimit-Reset`` from the real 429, stops
(a wait over 15 minutes ends the run with ``resume_at``) or starts to wait, and that a process
stopped during the wait loses and doubles nothing. The wait-then-continue path itself is timed
with a scripted 429 in ``test_publish_delivery.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from atproto import Client, models
from atproto.exceptions import RequestException

from livepost.bluesky.session import open_client
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.errors import NetworkError
from livepost.outbox.queries import add_post, list_posts
from livepost.publish.delivery import deliver_due
from livepost.run.assemble import make_publisher
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event
from tests.publish_helpers import NOW, composed_draft, make_event


class Interrupted(Exception):
    """The daemon is stopped while it waits for the limit to reset."""


def _rows(settings: Any, engine: Any) -> list[Any]:
    with session_scope(engine) as session:
        return list_posts(session, ensure_event(session, settings.event_key, "Conf", "UTC"))


def test_rate_limits_are_waited_for_and_nothing_is_lost_or_doubled(
    bluesky_network_rate_limited: LocalNetwork, tmp_path: Path
) -> None:
    network = bluesky_network_rate_limited
    dave = network.account("dave")
    settings = make_event(tmp_path / "event", network, "dave")
    open_client(settings)  # the one login; the session is stored

    # 1. someone else burns dave's logins (a bot that logs in on every run)
    raw = Client(network.pds_url)
    login_limited = None
    for _ in range(40):
        try:
            raw.login(dave.handle, dave.app_password, fetch_bsky_profile=False)
        except RequestException as exc:
            assert exc.response is not None and exc.response.status_code == 429
            login_limited = exc
            break
    assert login_limited is not None, "the PDS never refused a login"

    # livepost without a stored session: one attempt, a clear message, no retry storm
    calls: list[str] = []
    original = Client._get_and_set_session

    def counting(self: Client, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return original(self, *args, **kwargs)

    Client._get_and_set_session = counting  # type: ignore[method-assign]
    try:
        with pytest.raises(NetworkError) as caught:
            open_client(make_event(tmp_path / "fresh", network, "dave"))
    finally:
        Client._get_and_set_session = original  # type: ignore[method-assign]
    assert calls == ["dave.test"]
    reset = int(login_limited.response.headers["ratelimit-reset"])
    when = datetime.fromtimestamp(reset, UTC)
    assert caught.value.message == f"Too many logins for dave.test on {network.pds_url} (HTTP 429)."
    assert caught.value.hint in {
        f"Bluesky allows 30 logins every 5 minutes and 300 a day. Try again after "
        f"{moment:%H:%M} UTC; livepost reuses its session, so one login is enough."
        for moment in (when, when + timedelta(seconds=1))
    }

    # the stored session still posts: reuse is what keeps a bot out of the login limit
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, "Conf", "UTC")
        add_post(session, event, composed_draft("before", "before the write limit"))
    publisher = make_publisher(settings)
    try:
        assert [
            o.key for o in deliver_due(engine, settings.event_key, publisher, now=NOW).posted
        ] == ["before"]

        # 2. the hour's write points are used up (applyWrites: 200 creates = 600 points a call)
        writer = Client(network.pds_url)
        writer.login(session_string=_session_string(settings))
        _exhaust_writes(writer, dave.did)

        with session_scope(engine) as session:
            event = ensure_event(session, settings.event_key, "Conf", "UTC")
            for n in range(3):
                add_post(session, event, composed_draft(f"limited/{n}", f"limited {n}", n))
        report = deliver_due(engine, settings.event_key, publisher, now=NOW)
        assert report.posted == []
        assert report.resume_at is not None
        assert timedelta(0) < report.resume_at - datetime.now(UTC) <= timedelta(hours=1)
        assert report.stopped == (
            f"Bluesky's rate limit is reached until {report.resume_at:%H:%M} UTC"
        )
        assert {r.key: r.state for r in _rows(settings, engine)} == {
            "before": "posted",
            "limited/0": "queued",
            "limited/1": "queued",
            "limited/2": "queued",
        }

        # a daemon willing to wait: it sleeps until the reset, and is stopped while it waits
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            raise Interrupted

        with pytest.raises(Interrupted):
            deliver_due(
                engine, settings.event_key, publisher, now=NOW, sleep=sleep, max_rate_wait=7200
            )
        assert len(waits) == 1 and 0 < waits[0] <= 3600
        assert [r.state for r in _rows(settings, engine)][1:] == ["sending", "queued", "queued"]
        # restarted: the interrupted row is checked on the PDS (absent), queued again, not lost
        report = deliver_due(engine, settings.event_key, publisher, now=NOW)
        assert [o.key for o in report.requeued] == ["limited/0"]
        assert report.posted == [] and report.resume_at is not None
    finally:
        publisher.close()
    texts: list[str] = []
    cursor = None
    while True:
        params = {"repo": dave.did, "collection": "app.bsky.feed.post", "limit": 100}
        page = writer.com.atproto.repo.list_records(
            {**params, **({"cursor": cursor} if cursor else {})}
        )
        texts += [r.value.text for r in page.records]
        cursor = page.cursor
        if not cursor or not page.records:
            break
    assert texts.count("before the write limit\n#ccpr") == 1
    assert not [t for t in texts if t.startswith("limited")]
    rows = {r.key: r for r in _rows(settings, engine)}
    assert rows["before"].uri is not None and rows["before"].attempts == 1
    assert all(rows[f"limited/{n}"].uri is None for n in range(3))


def _session_string(settings: Any) -> str:
    from livepost.bluesky.session import SessionStore

    stored = SessionStore(settings.event_dir).load()
    assert stored is not None
    return stored.session


def _exhaust_writes(client: Client, did: str) -> None:
    """Create filler records until the PDS answers 429 (about 1,667 creates)."""
    stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    value = {"$type": "app.bsky.feed.post", "text": "filler", "createdAt": stamp}
    for _ in range(9):
        writes = [
            models.ComAtprotoRepoApplyWrites.Create(collection="app.bsky.feed.post", value=value)
            for _ in range(200)
        ]
        try:
            client.com.atproto.repo.apply_writes({"repo": did, "writes": writes})
        except RequestException as exc:
            assert exc.response is not None and exc.response.status_code == 429
            break
    for _ in range(2000):
        try:
            client.com.atproto.repo.create_record(
                {"repo": did, "collection": "app.bsky.feed.post", "record": value}
            )
        except RequestException as exc:
            assert exc.response is not None and exc.response.status_code == 429
            return
    raise AssertionError("the PDS never refused a write")
