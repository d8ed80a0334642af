"""Delivery logic of the outbox against the dry-run publisher (the real network has its own tests).

Where a test is about what the delivery loop does with an outcome (timeout, 429, 400), a
dry-run publisher is told to answer that way for the next calls: the outbox, the database and
the record building are all real.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from livepost.outbox.queries import Draft, add_post, add_thread, list_posts, mark_sending
from livepost.publish.base import AuthFailure, RateLimited, Rejected, StrongRef, UnknownOutcome
from livepost.publish.budget import WriteBudget, budget_warnings
from livepost.publish.delivery import deliver_due
from livepost.publish.dryrun import DRY_RUN_DID, DryRunPublisher, fake_did
from livepost.publish.records import Media, build_record
from livepost.store.engine import open_database, session_scope
from livepost.store.models import EventRow
from livepost.store.talks import ensure_event

T0 = datetime(2026, 6, 18, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


class ScriptedPublisher(DryRunPublisher):
    """Answers the next calls of one method with the given errors, then behaves normally.

    ``commit_first`` makes a failing create happen anyway (a timeout after the write)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.script: dict[str, list[Exception]] = {}
        self.commit_first = False
        self.calls: list[tuple[str, str]] = []

    def _next(self, method: str) -> Exception | None:
        queue = self.script.get(method) or []
        return queue.pop(0) if queue else None

    def create_record(self, rkey: str, record: dict[str, Any]) -> StrongRef:
        self.calls.append(("create", rkey))
        error = self._next("create")
        if error is not None:
            if self.commit_first:
                super().create_record(rkey, record)
            raise error
        return super().create_record(rkey, record)

    def get_record(self, rkey: str) -> StrongRef | None:
        self.calls.append(("get", rkey))
        error = self._next("get")
        if error is not None:
            raise error
        return super().get_record(rkey)


def _draft(key: str, minutes: int = 0, **extra: Any) -> Draft:
    return Draft(
        key=key,
        kind="snippet",
        due_at=T0 + timedelta(minutes=minutes),
        text=extra.pop("text", key),
        langs=["en-GB"],
        **extra,
    )


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    from livepost.config import default_database_url

    engine = open_database(default_database_url(tmp_path))
    with session_scope(engine) as session:
        ensure_event(session, "conf", "Conf", "Europe/London")
    return engine


def _event(session: Any) -> EventRow:
    return ensure_event(session, "conf", "Conf", "Europe/London")


def _states(engine: Any) -> dict[str, str]:
    with session_scope(engine) as session:
        return {r.key: r.state for r in list_posts(session, _event(session))}


def test_thread_goes_out_in_order_with_reply_refs_facets_and_images(
    engine: Any, tmp_path: Path
) -> None:
    Image.new("RGB", (640, 480), "navy").save(tmp_path / "photo.jpg")
    text = "Hello @bob.test and @nobody.test #ccpr https://example.org/x"
    encoded = text.encode()
    facets = [
        {"byteStart": 6, "byteEnd": 15, "type": "mention", "value": "bob.test"},
        {"byteStart": 20, "byteEnd": 32, "type": "mention", "value": "nobody.test"},
        {"byteStart": 33, "byteEnd": 38, "type": "tag", "value": "ccpr"},
        {
            "byteStart": 39,
            "byteEnd": len(encoded),
            "type": "link",
            "value": "https://example.org/x",
        },
    ]
    with session_scope(engine) as session:
        event = _event(session)
        root = add_post(
            session,
            event,
            _draft(
                "a/1",
                text=text,
                facets=facets,
                tags=["extra"],
                embed={"images": [{"path": "photo.jpg", "alt": "A navy square"}]},
            ),
        )
        add_thread(session, event, [_draft("a/2", 1), _draft("a/3", 2)], parent=root)
        add_post(session, event, _draft("b/1", 1))
    publisher = DryRunPublisher(
        handles={"bob.test": "did:plc:bob"}, unknown_handles=("nobody.test",)
    )
    report = deliver_due(
        engine, "conf", publisher, now=NOW, media=Media(base_dir=tmp_path, link_cards=False)
    )
    assert [o.key for o in report.posted] == ["a/1", "a/2", "b/1", "a/3"]
    assert [w.detail for w in report.warnings] == [
        "@nobody.test is not a known handle: left as plain text"
    ]
    first, second, _, third = (r.record for r in publisher.records)
    assert first["facets"] == [
        {
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": 6, "byteEnd": 15},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bob"}],
        },
        {
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": 33, "byteEnd": 38},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "ccpr"}],
        },
        {
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": 39, "byteEnd": len(encoded)},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/x"}],
        },
    ]
    assert first["langs"] == ["en-GB"] and first["tags"] == ["extra"]
    image = first["embed"]["images"][0]
    assert first["embed"]["$type"] == "app.bsky.embed.images"
    assert image["alt"] == "A navy square"
    assert image["aspectRatio"] == {"width": 640, "height": 480}
    assert image["image"]["mimeType"] == "image/jpeg"
    assert image["image"]["ref"]["$link"].startswith("bafkrei")
    root_ref = publisher.records[0].ref
    assert root_ref.uri == f"at://{DRY_RUN_DID}/app.bsky.feed.post/{publisher.records[0].rkey}"
    assert root_ref.cid.startswith("bafyrei") and len(root_ref.cid) == 59
    assert second["reply"] == {"root": root_ref.to_json(), "parent": root_ref.to_json()}
    assert third["reply"] == {
        "root": root_ref.to_json(),
        "parent": publisher.records[1].ref.to_json(),
    }
    assert "reply" not in publisher.records[2].record
    assert first["createdAt"].endswith("Z") and len(first["createdAt"]) == 24
    with session_scope(engine) as session:
        rows = list_posts(session, _event(session))
        assert all(r.state == "posted" and r.attempts == 1 for r in rows)
        assert {r.rkey: r.uri for r in rows} == {s.rkey: s.ref.uri for s in publisher.records}
    # nothing due any more: a second run sends nothing
    assert deliver_due(engine, "conf", publisher, now=NOW).sent == 0
    assert len(publisher.records) == 4


def test_unresolved_mention_of_dry_run_uses_stable_placeholder() -> None:
    assert fake_did("Bob.test") == fake_did("bob.test")
    assert len(fake_did("bob.test")) == len("did:plc:") + 24


def test_row_left_sending_is_recovered_or_requeued(engine: Any) -> None:
    publisher = DryRunPublisher()
    with session_scope(engine) as session:
        event = _event(session)
        landed = add_post(session, event, _draft("landed"))
        lost = add_post(session, event, _draft("lost", 1))
        mark_sending(landed)
        mark_sending(lost)
        landed_rkey = landed.rkey
    # the crash happened after the create of "landed" reached the PDS
    ref = publisher.create_record(landed_rkey, {"text": "landed"})
    report = deliver_due(engine, "conf", publisher, now=NOW)
    assert [(o.key, o.detail) for o in report.recovered] == [("landed", ref.uri)]
    assert [o.key for o in report.requeued] == ["lost"]
    assert [o.key for o in report.posted] == ["lost"]
    assert len(publisher.records) == 2  # "landed" was not sent again
    with session_scope(engine) as session:
        rows = {r.key: r for r in list_posts(session, _event(session))}
        assert rows["landed"].cid == ref.cid and rows["lost"].attempts == 2


def test_unknown_outcome_is_verified_before_retrying(engine: Any) -> None:
    publisher = ScriptedPublisher()
    publisher.commit_first = True  # the write happened, the answer was lost (e.g. a 500)
    publisher.script["create"] = [UnknownOutcome("HTTP 500 InternalServerError")]
    with session_scope(engine) as session:
        add_post(session, _event(session), _draft("one"))
    sleeps: list[float] = []
    report = deliver_due(engine, "conf", publisher, now=NOW, sleep=sleeps.append)
    assert [o.key for o in report.posted] == ["one"]
    assert [c[0] for c in publisher.calls] == ["create", "get"]
    assert len(publisher.records) == 1 and sleeps == []


def test_unknown_outcome_without_the_record_retries_then_stops_in_order(engine: Any) -> None:
    publisher = ScriptedPublisher()
    down = [UnknownOutcome("timed out") for _ in range(10)]
    publisher.script["create"] = list(down)
    with session_scope(engine) as session:
        add_post(session, _event(session), _draft("one"))
        add_post(session, _event(session), _draft("two", 1))
    sleeps: list[float] = []
    report = deliver_due(
        engine, "conf", publisher, now=NOW, sleep=sleeps.append, retry_delays=(1.0, 2.0)
    )
    assert report.stopped == "Bluesky did not answer for post one: timed out"
    assert sleeps == [1.0, 2.0]
    assert _states(engine) == {"one": "queued", "two": "queued"}  # "two" never jumped the queue
    publisher.script["create"] = []
    report = deliver_due(engine, "conf", publisher, now=NOW)
    assert [o.key for o in report.posted] == ["one", "two"]
    assert len(publisher.records) == 2


def test_rate_limit_waits_until_reset_and_nothing_is_doubled(engine: Any) -> None:
    publisher = ScriptedPublisher()
    clock_now = datetime(2026, 6, 18, 10, 0, tzinfo=UTC)
    reset = clock_now + timedelta(seconds=42)
    publisher.script["create"] = [RateLimited("HTTP 429 RateLimitExceeded", reset_at=reset)]
    with session_scope(engine) as session:
        add_post(session, _event(session), _draft("one"))
        add_post(session, _event(session), _draft("two", 1))
    sleeps: list[float] = []
    report = deliver_due(
        engine, "conf", publisher, now=NOW, sleep=sleeps.append, clock=lambda: clock_now
    )
    assert sleeps == [42.0] and report.rate_limit_waits == [42.0]
    assert [o.key for o in report.posted] == ["one", "two"]
    assert [r.record["text"] for r in publisher.records] == ["one", "two"]


def test_long_rate_limit_ends_the_run_with_resume_time(engine: Any) -> None:
    publisher = ScriptedPublisher()
    clock_now = datetime(2026, 6, 18, 10, 0, tzinfo=UTC)
    reset = clock_now + timedelta(hours=3)
    publisher.script["create"] = [RateLimited("HTTP 429", reset_at=reset)]
    with session_scope(engine) as session:
        add_post(session, _event(session), _draft("one"))
    report = deliver_due(engine, "conf", publisher, now=NOW, clock=lambda: clock_now)
    assert report.stopped == "Bluesky's rate limit is reached until 13:00 UTC"
    assert report.resume_at == reset
    assert _states(engine) == {"one": "queued"}


def test_rejected_post_fails_the_rest_goes_on_and_its_replies_wait(engine: Any) -> None:
    publisher = ScriptedPublisher()
    publisher.script["create"] = [Rejected("Invalid app.bsky.feed.post record: text too long")]
    with session_scope(engine) as session:
        event = _event(session)
        bad = add_post(session, event, _draft("bad"))
        add_thread(session, event, [_draft("bad/2", 1)], parent=bad)
        add_post(session, event, _draft("good", 2))
        bad_id = bad.id
    report = deliver_due(engine, "conf", publisher, now=NOW)
    assert [(o.key, o.detail) for o in report.failed] == [
        ("bad", "Invalid app.bsky.feed.post record: text too long")
    ]
    assert [o.key for o in report.posted] == ["good"]
    assert [(o.key, o.detail) for o in report.waiting] == [
        (
            "bad/2",
            f"waits for post {bad_id} (bad), which is failed: "
            "Invalid app.bsky.feed.post record: text too long",
        )
    ]
    assert _states(engine) == {"bad": "failed", "bad/2": "queued", "good": "posted"}


def test_missing_image_fails_the_row_with_its_path(engine: Any, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        add_post(
            session,
            _event(session),
            _draft("pic", embed={"images": [{"path": "gone.jpg", "alt": "x"}]}),
        )
    report = deliver_due(engine, "conf", DryRunPublisher(), now=NOW, media=Media(base_dir=tmp_path))
    assert len(report.failed) == 1
    assert report.failed[0].detail.startswith("image gone.jpg")


def test_images_outside_the_event_folder_are_refused_unread(
    engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = tmp_path / "event"
    (event / "notes").mkdir(parents=True)
    photo = tmp_path / "outside" / "photo.jpg"
    photo.parent.mkdir()
    Image.new("RGB", (8, 8), "red").save(photo)
    (event / "notes" / "link.jpg").symlink_to(photo)

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an image outside the event folder was opened")

    monkeypatch.setattr("livepost.cards.prepare_image", never)
    media = Media(base_dir=event, link_cards=False)
    root = event.resolve()
    for path in ("../outside/photo.jpg", str(photo), "notes/link.jpg", "/etc/passwd"):
        with pytest.raises(Rejected) as refused:
            build_record(
                text="Look",
                facets=[],
                langs=[],
                tags=[],
                embed={"images": [{"path": path, "alt": "A photo"}]},
                reply=None,
                publisher=DryRunPublisher(),
                media=media,
            )
        assert str(refused.value) == f"image {path} is outside the event folder ({root})"
    with session_scope(engine) as session:
        add_post(
            session,
            _event(session),
            _draft("pic", embed={"images": [{"path": "/etc/passwd", "alt": "x"}]}),
        )
    report = deliver_due(engine, "conf", DryRunPublisher(), now=NOW, media=media)
    assert [f.detail for f in report.failed] == [
        f"image /etc/passwd is outside the event folder ({root})"
    ]
    assert _states(engine) == {"pic": "failed"}


def test_auth_failure_requeues_and_raises(engine: Any) -> None:
    publisher = ScriptedPublisher()
    publisher.script["create"] = [AuthFailure("The Bluesky session has been revoked.")]
    with session_scope(engine) as session:
        add_post(session, _event(session), _draft("one"))
    with pytest.raises(AuthFailure, match="revoked"):
        deliver_due(engine, "conf", publisher, now=NOW)
    assert _states(engine) == {"one": "queued"}


def test_paused_event_sends_nothing(engine: Any) -> None:
    publisher = DryRunPublisher()
    with session_scope(engine) as session:
        event = _event(session)
        add_post(session, event, _draft("one"))
        event.paused = True
    report = deliver_due(engine, "conf", publisher, now=NOW)
    assert report.paused and report.sent == 0 and publisher.records == []


def test_limit_and_not_yet_due(engine: Any) -> None:
    publisher = DryRunPublisher()
    with session_scope(engine) as session:
        for n in range(3):
            add_post(session, _event(session), _draft(f"p{n}", n))
        add_post(session, _event(session), _draft("later", 24 * 60))
    report = deliver_due(engine, "conf", publisher, now=NOW, limit=2)
    assert [o.key for o in report.posted] == ["p0", "p1"]
    report = deliver_due(engine, "conf", publisher, now=NOW)
    assert [o.key for o in report.posted] == ["p2"]


def test_budget_stops_sending_when_used_up(engine: Any) -> None:
    publisher = DryRunPublisher()
    small = WriteBudget(hourly_points=6, daily_points=100)  # 2 posts an hour
    clock_now = datetime(2026, 6, 18, 10, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        for n in range(3):
            add_post(session, _event(session), _draft(f"p{n}", n))
    report = deliver_due(engine, "conf", publisher, now=NOW, budget=small, clock=lambda: clock_now)
    assert [o.key for o in report.posted] == ["p0", "p1"]
    assert report.resume_at == clock_now + timedelta(hours=1)
    assert report.stopped == (
        "livepost's write budget (2 posts an hour, 33 a day) is used up until 11:00 UTC"
    )


def test_budget_warnings() -> None:
    burst = [T0 + timedelta(seconds=n) for n in range(1400)]
    assert budget_warnings(burst[:1333]) == []
    assert budget_warnings(burst) == [
        "The plan makes 1,334 posts in the hour up to 2026-06-18 09:22 UTC: more than "
        "livepost's budget of 1,333 per hour (Bluesky allows 5,000 points per hour, a post costs "
        "3). "
        "Posts over the budget wait until it frees up."
    ]
    spread = [T0 + timedelta(minutes=n) for n in range(60 * 24)]
    sent = [T0 - timedelta(hours=2)] * 8100  # earlier today: counts for the day, not the hour
    assert budget_warnings(spread, sent=sent)[0].startswith(
        "The plan makes 9,334 posts in the day up to"
    )


def test_dry_run_echoes_records_and_can_be_forgotten(engine: Any) -> None:
    from livepost.publish.dryrun import forget_dry_run, is_dry_run_uri

    echoed: list[str] = []
    publisher = DryRunPublisher(echo=lambda sent: echoed.append(sent.record["text"]))
    with session_scope(engine) as session:
        event = _event(session)
        root = add_post(session, event, _draft("one"))
        add_thread(session, event, [_draft("two", 1)], parent=root)
    deliver_due(engine, "conf", publisher, now=NOW)
    assert echoed == ["one", "two"]
    rendered = publisher.render()
    assert '"text": "two"' in rendered and '"parent"' in rendered
    with session_scope(engine) as session:
        event = _event(session)
        assert all(is_dry_run_uri(r.uri) for r in list_posts(session, event))
        assert forget_dry_run(session, event) == 2
    assert _states(engine) == {"one": "queued", "two": "queued"}
    real = DryRunPublisher(did="did:plc:real")
    report = deliver_due(engine, "conf", real, now=NOW)
    assert [o.key for o in report.posted] == ["one", "two"]
    assert real.records[1].record["reply"]["root"]["uri"].startswith("at://did:plc:real/")


def test_cards_are_drawn_at_send_time_from_the_stored_talks(demo_event: Path) -> None:
    from livepost.config import load_settings
    from livepost.run.assemble import make_media
    from livepost.schedule import load_schedule
    from livepost.store.talks import save_schedule

    settings = load_settings(demo_event, environ={})
    engine = open_database(settings.database_url)
    assert settings.schedule_path is not None
    schedule = load_schedule(
        settings.schedule_path, timezone=settings.zone, day=settings.event.date
    )
    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")
        save_schedule(session, settings.event_key, schedule)
        talk_id = schedule.talks[0].id
        add_post(
            session,
            event,
            Draft(
                "announce/x",
                "announce",
                T0,
                "Up next",
                embed={"card": {"kind": "talk", "talk_id": talk_id, "alt": "Card: the talk"}},
            ),
        )
        add_post(
            session,
            event,
            Draft("announce/y", "announce", T0, "Gone", embed={"card": {"talk_id": "no-such"}}),
        )
    publisher = DryRunPublisher()
    report = deliver_due(
        engine, settings.event_key, publisher, now=NOW, media=make_media(settings, engine)
    )
    (sent,) = publisher.records
    image = sent.record["embed"]["images"][0]
    assert image["alt"] == "Card: the talk"
    assert image["aspectRatio"]["width"] > 0 and image["image"]["size"] <= 1_000_000
    assert [(o.key, o.detail.split("\n")[0]) for o in report.failed] == [
        ("announce/y", "the talk card cannot be drawn: no talk with id 'no-such'")
    ]
