"""The live capture: Jetstream's stream of post records, matched against the event's hashtags.

Jetstream has no hashtag filter (only collections and accounts), so every post is matched here,
the way the search results are: a tag facet, an extra ``tags`` entry, or ``#tag`` in the text.
A matching post is stored through the same :func:`~livepost.archive.sync.save_archived_posts` as
the search (unique by URI, so a post found both ways is one row); a deleted one leaves the
archive. Events arrive as the plain JSON payloads of ``network.bsky.jetstream.subscribeEvents``
(``livepost.bluesky.jetstream`` turns the SDK's models into them), so this module and its tests
never touch the network. The stream's cursor (its ``seq``) is kept in ``archive_sync`` under
``jetstream``, so a restart resumes where the last run stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from livepost.archive.sync import _save_others, _state, forget_deleted, has_tag
from livepost.model.engagement import Counts, RemotePost
from livepost.store.engine import session_scope
from livepost.store.models import utc_now
from livepost.store.talks import load_event

if TYPE_CHECKING:
    from sqlalchemy import Engine

POST_COLLECTION = "app.bsky.feed.post"
COMMIT = "network.bsky.jetstream.subscribeEvents#commit"
CURSOR_KIND = "jetstream"
#: the cursor is written at least this often (and with every stored post)
CURSOR_EVERY_SECONDS = 10.0

log = logging.getLogger(__name__)
Hydrate = Callable[[Sequence[str]], list[RemotePost]]


@dataclass
class LiveStats:
    events: int = 0
    stored: int = 0
    deleted: int = 0


class LiveCapture:
    """Handles Jetstream events one by one (:meth:`handle`); ``hydrate`` (getPosts) fills in
    the author's handle and display name and the images' addresses, which the stream lacks."""

    def __init__(
        self,
        engine: Engine,
        event_key: str,
        hashtags: Sequence[str],
        *,
        hydrate: Hydrate | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.event_key = event_key
        self.hashtags = list(hashtags)
        self.hydrate = hydrate
        self.clock = clock
        self.stats = LiveStats()
        self.cursor: int | None = load_cursor(engine, event_key)
        self._saved_cursor = self.cursor
        self._saved_at = time.monotonic()

    def handle(self, event: dict[str, Any]) -> str | None:
        """One event: ``"stored"``, ``"deleted"`` or None (nothing for us). Never raises for a
        malformed event: it is logged and skipped."""
        self.stats.events += 1
        seq = event.get("seq")
        outcome: str | None = None
        try:
            if event.get("$type") == COMMIT and event.get("collection") == POST_COLLECTION:
                outcome = self._commit(event)
        except (KeyError, TypeError, ValueError) as exc:
            log.info("jetstream: skipped a malformed event (%s)", exc)
        if isinstance(seq, int) and (self.cursor is None or seq > self.cursor):
            self.cursor = seq
        if outcome or time.monotonic() - self._saved_at >= CURSOR_EVERY_SECONDS:
            self.save_cursor()
        return outcome

    def _commit(self, event: dict[str, Any]) -> str | None:
        uri = f"at://{event['did']}/{POST_COLLECTION}/{event['rkey']}"
        operation = event.get("operation")
        if operation == "delete":
            with session_scope(self.engine) as session:
                gone = forget_deleted(
                    session, load_event(session, self.event_key), [uri], self.clock()
                )
            self.stats.deleted += gone
            return "deleted" if gone else None
        record = event.get("record")
        if operation not in ("create", "update") or not isinstance(record, dict):
            return None
        post = post_from_record(uri, str(event.get("cid") or ""), event["did"], record, event)
        tag = next((t for t in self.hashtags if has_tag(post, t)), None)
        if tag is None:
            return None
        if self.hydrate is not None:
            try:
                found = self.hydrate([uri])
            except Exception as exc:  # the stream's own data is enough; the next sync refreshes
                log.info("jetstream: could not read %s from the AppView (%s)", uri, exc)
                found = []
            if found:
                post = found[0]
        with session_scope(self.engine) as session:
            event_row = load_event(session, self.event_key)
            added, _ = _save_others(session, event_row, [post], "hashtag", tag, self.clock())
        self.stats.stored += added
        return "stored" if added else None

    def save_cursor(self) -> None:
        """Keep the stream's position in the database (the next run resumes from it)."""
        self._saved_at = time.monotonic()
        if self.cursor is None or self.cursor == self._saved_cursor:
            return
        with session_scope(self.engine) as session:
            state = _state(session, load_event(session, self.event_key), CURSOR_KIND)
            state.cursor = str(self.cursor)
            state.finished_at = self.clock()
        self._saved_cursor = self.cursor


def load_cursor(engine: Engine, event_key: str) -> int | None:
    """The last Jetstream ``seq`` handled for the event, or None (start at the live tip)."""
    with session_scope(engine) as session:
        state = _state(session, load_event(session, event_key), CURSOR_KIND)
        return int(state.cursor) if state.cursor and state.cursor.isdigit() else None


def post_from_record(
    uri: str, cid: str, did: str, record: dict[str, Any], event: dict[str, Any]
) -> RemotePost:
    """A post record from the stream as a :class:`RemotePost` (the author known by DID only)."""
    from livepost.bluesky.reads import parse_time  # plain parsing, no SDK objects

    text = str(record.get("text") or "")
    facets = [f for f in record.get("facets") or [] if isinstance(f, dict)]
    tags = [
        str(feature["tag"])
        for facet in facets
        for feature in facet.get("features") or []
        if isinstance(feature, dict) and "tag" in feature
    ]
    tags += [str(t) for t in record.get("tags") or []]
    links = [
        str(feature["uri"])
        for facet in facets
        for feature in facet.get("features") or []
        if isinstance(feature, dict) and "uri" in feature
    ]
    embed = _dict(record.get("embed"))
    holders = [embed, _dict(embed.get("media"))]
    alts = [
        str(image.get("alt") or "")
        for holder in holders
        for image in holder.get("images") or []
        if isinstance(image, dict)
    ]
    external = embed.get("external")
    if isinstance(external, dict) and external.get("uri"):
        links.append(str(external["uri"]))
    seen = parse_time(event.get("time"))
    reply = _dict(record.get("reply"))
    return RemotePost(
        uri=uri,
        cid=cid,
        author_did=did,
        author_handle=did,
        author_name=None,
        text=text,
        created_at=parse_time(record.get("createdAt"), seen),
        indexed_at=seen,
        counts=Counts(),
        facets=facets,
        links=links,
        image_alts=alts,
        images=[{"alt": alt, "thumb": "", "fullsize": ""} for alt in alts],
        tags=tags,
        reply_parent=_dict(reply.get("parent")).get("uri"),
        reply_root=_dict(reply.get("root")).get("uri"),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
