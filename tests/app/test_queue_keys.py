"""An idempotency key stands for one post: the same key with the same request is that post again
(nothing new queued), with another text, talk, photo or description it is refused (Conflict, 409
on the web) and nothing is queued, for every front end and even when two requests race."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select, update

from livepost.app.event import EventApp
from livepost.app.queue import EventQueue, PostRequest, Queued, Upload
from livepost.config import load_settings
from livepost.errors import Conflict
from livepost.model.actors import Actor, Role
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow


@pytest.fixture
def app(tmp_path: Path) -> EventApp:
    (tmp_path / "livepost.toml").write_text(
        '[event]\nname = "Keys"\nhashtags = ["keys"]\ntimezone = "UTC"\n', encoding="utf-8"
    )
    settings = load_settings(tmp_path, environ={})
    return EventApp(settings, open_database(settings.database_url), Actor.owner())


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def _rows(app: EventApp) -> list[tuple[Any, ...]]:
    with session_scope(app.engine) as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [(r.id, r.key, r.text, r.client_key, r.client_digest) for r in rows]


def _used(post_id: int) -> str:
    return f"the key 'k' was already used for another post (post {post_id}): nothing was queued"


def test_the_same_key_and_request_is_the_same_post(app: EventApp) -> None:
    first = app.queue.queue(PostRequest("A long day of talks.", key="k"))
    again = app.queue.queue(PostRequest("A long day of talks.  \r\n", key=" k "))
    assert (again.ids, again.existing) == (first.ids, True)
    ((_id, _key, _text, client_key, digest),) = _rows(app)
    assert client_key == "owner/k" and digest is not None and len(digest) == 64


def test_another_text_under_the_same_key_is_refused(app: EventApp) -> None:
    first = app.queue.queue(PostRequest("A long day of talks.", key="k"))
    before = _rows(app)
    with pytest.raises(Conflict) as refused:
        app.queue.queue(PostRequest("Another post altogether.", key="k"))
    assert refused.value.message == _used(first.ids[0])
    assert refused.value.hint == "Send a new post with a new key."
    assert _rows(app) == before
    # another person's same key is theirs, and a post without a key is always new
    other = EventApp(app.settings, app.engine, Actor.member(7, "Ann", Role.OFFICER))
    assert not other.queue.queue(PostRequest("Another post altogether.", key="k")).existing
    assert not app.queue.queue(PostRequest("A long day of talks.")).existing
    assert len(_rows(app)) == 3


def test_another_photo_or_description_under_the_same_key_is_refused(app: EventApp) -> None:
    def photo(colour: str, alt: str) -> PostRequest:
        return PostRequest("The slide", uploads=[Upload(_png(colour), "s.png", alt)], key="k")

    first = app.queue.queue(photo("navy", "A chart"))
    before = _rows(app)
    for other in (
        photo("teal", "A chart"),
        photo("navy", "A table"),
        PostRequest("The slide", key="k"),
    ):
        with pytest.raises(Conflict) as refused:
            app.queue.queue(other)
        assert refused.value.message == _used(first.ids[0])
    assert _rows(app) == before
    assert app.queue.queue(photo("navy", " A chart ")).ids == first.ids
    assert len(list((app.settings.event_dir / "uploads").iterdir())) == 1


def test_a_post_queued_before_the_digest_was_kept_still_answers_its_key(app: EventApp) -> None:
    first = app.queue.queue(PostRequest("Queued before 0011.", key="k"))
    with session_scope(app.engine) as session:  # as migration 0011 leaves such a row
        session.execute(update(OutboxRow).values(client_digest=None))
    again = app.queue.queue(PostRequest("Whatever the text now.", key="k"))
    assert (again.ids, again.existing) == (first.ids, True)
    assert len(_rows(app)) == 1


@pytest.mark.parametrize("theirs", ["Our post.", "The other request's post."])
def test_two_requests_racing_with_one_key_queue_one_post(
    app: EventApp, monkeypatch: pytest.MonkeyPatch, theirs: str
) -> None:
    """The other request wrote the key between our look-up and our insert: the unique key stops
    ours; the same request is answered with that post, another is refused as another post."""
    racing = EventApp(app.settings, app.engine, app.actor)
    looked_up = EventQueue._queued_before
    calls: list[str] = []

    def lookup_then_race(self: EventQueue, client_key: str, digest: str) -> Queued | None:
        calls.append(client_key)
        if len(calls) == 1:  # our look-up finds nothing; the other request then queues
            monkeypatch.setattr(EventQueue, "_queued_before", looked_up)
            racing.queue.queue(PostRequest(theirs, key="k"))
            monkeypatch.setattr(EventQueue, "_queued_before", lookup_then_race)
            return None
        return looked_up(self, client_key, digest)

    monkeypatch.setattr(EventQueue, "_queued_before", lookup_then_race)
    if theirs == "Our post.":
        ours = app.queue.queue(PostRequest("Our post.", key="k"))
        ((post_id, _key, text, _client_key, _digest),) = _rows(app)
        assert (ours.ids, ours.existing) == ([post_id], True)
    else:
        with pytest.raises(Conflict) as refused:
            app.queue.queue(PostRequest("Our post.", key="k"))
        ((post_id, _key, text, _client_key, _digest),) = _rows(app)
        assert refused.value.message == _used(post_id)
    assert text.startswith(theirs)
    assert calls == ["owner/k", "owner/k"]
