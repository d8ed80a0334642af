"""The queue, for every front end: preview, queue, edit, cancel, retry, reorder, pause, list.

``livepost queue``, the console and the phone API parse their input into these calls and render
what comes back; the rules (which template, which hashtags, which thread a post joins, what an
image needs, what may still be changed) live here once. Everything goes through the database, so
a running ``livepost run`` sees each change within seconds.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from livepost.app.context import EventScope
from livepost.app.permissions import (
    Action,
    ensure,
    ensure_may_change,
    ensure_may_post,
    sees_only_own_posts,
)
from livepost.app.posts import Posts
from livepost.app.timeline import post_json
from livepost.cards.alt import has_visible_text
from livepost.cards.for_event import render_event_card
from livepost.compose.compose import ComposedPost
from livepost.compose.for_event import compose_for_event, default_kind
from livepost.compose.hashtags import clean_tag, missing_tags
from livepost.compose.text import MAX_GRAPHEMES, grapheme_count, normalize
from livepost.config import Settings
from livepost.errors import ConcurrentChange, Conflict, InputError, NotAllowed, StoreError
from livepost.model import Talk
from livepost.model.posts import PostKind
from livepost.outbox import queries
from livepost.outbox.queries import Draft, OutboxError, PostState
from livepost.plan.sync import replan
from livepost.schedule.current import current_talks, find_talk
from livepost.store.engine import session_scope
from livepost.store.models import OutboxRow
from livepost.store.output import write_bytes

UPLOADS = "uploads"  # images and cards queued by hand are kept here, inside the event folder
MAX_IMAGES = 4
MAX_ALT = 2000
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
NEEDS_ALT = (
    "Describe what it shows: without alt text, people using screen readers get nothing from it."
)
#: a time this far in the past is a mistake, not "now"
PAST_TOLERANCE = timedelta(minutes=1)
CARD_KINDS = ("talk", "quote")


@dataclass(frozen=True)
class Attachment:
    """An image a person named to attach (any readable file: it is theirs to give), and what it
    shows. It is copied into the event's ``uploads/`` when queued, so the original may go."""

    path: Path
    alt: str


@dataclass(frozen=True)
class Upload:
    """An image sent with the request itself (the console, the phone): kept in ``uploads/`` once
    every check has passed."""

    data: bytes
    filename: str
    alt: str


@dataclass
class PostRequest:
    """A post (or thread) to queue by hand, as any front end asks for it."""

    text: str
    talk_id: str | None = None
    due_at: datetime | None = None  # None: now
    images: list[Attachment] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    card: str | None = None  # "talk" or "quote": a card of the talk, drawn now
    card_alt: str = ""
    in_thread: bool = True  # with a talk: a reply under its announcement
    #: the client's idempotency key: the same key from the same person is the same post
    key: str | None = None


@dataclass
class Queued:
    """What :meth:`EventQueue.queue` added: the rows (one per part) and the post they reply to."""

    ids: list[int]
    keys: list[str]
    due_at: datetime
    parent_key: str | None = None
    texts: list[str] = field(default_factory=list)
    #: the request's key had been seen: these are the rows it queued then, nothing new
    existing: bool = False
    state: PostState = PostState.QUEUED


@dataclass
class Preview:
    """What a post request would queue, without queueing it."""

    posts: list[ComposedPost] = field(default_factory=list)
    added_tags: list[str] = field(default_factory=list)
    present_tags: list[str] = field(default_factory=list)
    talk: Talk | None = None
    parent: dict[str, Any] | None = None  # the announcement it would reply to (post_json)
    thread_note: str = ""

    @property
    def graphemes(self) -> int:
        return sum(p.graphemes for p in self.posts)


@dataclass(frozen=True)
class Changed:
    """A post after an edit, retry or cancel."""

    id: int
    key: str
    state: PostState
    due_at: datetime


class EventQueue(EventScope):
    """The event's outbox as the comms team changes it. Cheap to build: one per request.

    Every method asks :mod:`livepost.app.permissions` whether the actor may do it first, and
    records each change under the actor's identity (``owner``, ``member:<id>``)."""

    # --- reading ------------------------------------------------------------------------------

    def talks(self) -> list[Talk]:
        ensure(self.actor, Action.READ)
        return current_talks(self.settings, self.engine)

    def talk(self, talk_id: str | None) -> Talk | None:
        """The talk with this id (None for none), or an error naming the closest ids."""
        ensure(self.actor, Action.READ)
        return find_talk(self.settings, self.engine, talk_id) if talk_id else None

    def posts(
        self, states: Iterable[PostState] | None = None, *, mine: bool = False
    ) -> list[dict[str, Any]]:
        """The event's posts in ``states`` (all when None), due order, as ``plan --json`` shows;
        ``mine`` (always, for a reporter): only those the actor queued, by identity."""
        return self._reader().list(states, mine=mine)

    def paused(self) -> bool:
        return self._reader().paused()

    def _reader(self) -> Posts:
        return Posts(self.settings, self.engine, self.actor, self.clock)

    # --- composing ----------------------------------------------------------------------------

    def compose(self, text: str, talk: Talk | None, kind: str | None = None) -> list[ComposedPost]:
        """The posts ``text`` becomes in this event (and talk): what every front end shows."""
        return compose_for_event(self.settings, text, talk=talk, kind=kind)

    def preview(self, text: str, talk_id: str | None, *, in_thread: bool = True) -> Preview:
        """What :meth:`queue` would add for this text and talk (nothing is written)."""
        result = Preview(talk=self.talk(talk_id))
        body = normalize(text)
        if not body:
            return result
        talk = result.talk
        result.posts = self.compose(text, talk)
        wanted = [clean_tag(t) for t in self.settings.event.hashtags]
        if talk is not None:
            wanted += [clean_tag(t) for t in talk.hashtags]
        result.added_tags = missing_tags(body, wanted)
        result.present_tags = [t for t in wanted if t not in result.added_tags]
        if talk is None:
            return result
        if not in_thread:
            result.thread_note = "A new post of its own (not in the talk's thread)."
            return result
        with session_scope(self.engine) as session:
            parent = queries.announcement_of(session, self.event(session), talk.id)
            result.parent = post_json(parent, self.settings.zone) if parent else None
        result.thread_note = (
            "A reply in the talk's thread, under its announcement."
            if result.parent
            else "A reply in the talk's thread: its announcement is not planned yet, so it is "
            "planned first."
        )
        return result

    # --- queueing -----------------------------------------------------------------------------

    def queue(self, request: PostRequest) -> Queued:
        """Queue the request's post (or thread). Every check happens before anything is written:
        a refused request leaves no row and no file."""
        ensure(self.actor, Action.POST)  # before the talk is even looked up
        now = self.clock()
        talk = self.talk(request.talk_id)
        ensure_may_post(self.actor, talk)
        client_key = self._client_key(request.key)
        digest = request_digest(request, talk) if client_key is not None else None
        if client_key is not None and digest is not None:
            again = self._queued_before(client_key, digest)
            if again is not None:
                return again
        if not normalize(request.text):
            raise InputError("text", "the post has no text", hint="Write the post first.")
        due = request.due_at or now
        if due < now - PAST_TOLERANCE:
            local = due.astimezone(self.settings.zone)
            raise InputError(
                "at",
                f"{local:%H:%M} on {local:%d %B} has passed",
                hint="Choose a later time, or send it now.",
            )
        self._check_images(request)
        posts = self.compose(request.text, talk)
        kind = default_kind(talk)
        embed = self._embed(request, talk)
        parent_key = f"announce/{talk.id}" if talk is not None and request.in_thread else None
        if parent_key is not None:
            self._ensure_planned(parent_key)
        key = queries.manual_key()
        drafts = [
            Draft(
                key=key if n == 0 else f"{key}#{n + 1}",
                kind=kind,
                due_at=due,
                text=post.text,
                facets=[f.to_json() for f in post.facets],
                langs=list(post.langs),
                tags=list(post.tags),
                embed=embed if n == 0 else None,
                talk_id=talk.id if talk else None,
                origin="manual",
                author=self.actor.name,
                author_id=self.actor.identity,
                client_key=client_key if n == 0 else None,
                client_digest=digest if n == 0 else None,
            )
            for n, post in enumerate(posts)
        ]
        try:
            with session_scope(self.engine) as session:
                event = self.event(session)
                parent = (
                    queries.announcement_of(session, event, talk.id)
                    if parent_key and talk
                    else None
                )
                rows = queries.add_thread(session, event, drafts, parent=parent)
                self.audit(session, event, "queue", f"post {rows[0].id}", rows[0].text[:200])
                return _queued(rows, parent)
        except StoreError as exc:  # session_scope's form of the database's refusal
            # the same key, queued a moment ago by a concurrent request: that post, or a 409
            if not isinstance(exc.__cause__, IntegrityError) or client_key is None:
                raise
            again = self._queued_before(client_key, digest) if digest is not None else None
            if again is None:
                raise
            return again

    def _client_key(self, key: str | None) -> str | None:
        if key is None:
            return None
        key = key.strip()
        if not key or len(key) > 100 or not key.isprintable():
            raise InputError("key", "a key is 1 to 100 printable characters")
        return f"{self.actor.identity}/{key}"

    def _queued_before(self, client_key: str, digest: str) -> Queued | None:
        """What a request with this key queued before (its first row and the thread after it);
        a :class:`Conflict` if that request asked for another post (a key is for one post)."""
        with session_scope(self.engine) as session:
            event = self.event(session)
            first = queries.find_by_client_key(session, event, client_key)
            if first is None:
                return None
            if first.client_digest is not None and first.client_digest != digest:
                key = client_key.split("/", 1)[1]
                raise Conflict(
                    f"the key {key!r} was already used for another post (post {first.id}): "
                    "nothing was queued",
                    hint="Send a new post with a new key.",
                )
            rows = queries.thread_parts(session, first)
            parent = queries.parent_of(session, first)
            queued = _queued(rows, parent)
            queued.existing = True
            return queued

    def _check_images(self, request: PostRequest) -> None:
        count = len(request.images) + len(request.uploads) + (1 if request.card else 0)
        if count > MAX_IMAGES:
            raise InputError("image", f"a post carries at most {MAX_IMAGES} images")
        for image in request.images:
            path = image.path.expanduser()
            if not path.is_file():
                raise InputError(
                    "image", f"{image.path} is not a file", hint="Check the path to the photo."
                )
            _check_alt(image.path.name, image.alt)
            _check_decodes(path, image.path.name)  # decoded now, not on the day
        for upload in request.uploads:
            name = upload.filename or "the image"
            if not upload.data:
                raise InputError("image", "choose the image to attach, or attach nothing")
            _check_alt(name, upload.alt)
            if len(upload.data) > MAX_UPLOAD_BYTES:
                raise InputError(
                    "image",
                    f"{name} is {len(upload.data) / 1024 / 1024:.1f} MB",
                    hint="Send one up to 25 MB.",
                )
            _check_decodes(upload.data, name)
        if request.card is not None:
            if request.card not in CARD_KINDS:
                raise InputError("card", f"unknown card kind {request.card!r}")
            if request.talk_id is None:
                raise InputError("talk", "a card needs a talk", hint="Choose one.")
            if request.card == "quote" and not request.text.strip():
                raise InputError("text", "a quote card shows the post's text: write it first")

    def _embed(self, request: PostRequest, talk: Talk | None) -> dict[str, Any] | None:
        images: list[dict[str, str]] = []
        for image in request.images:  # a copy: the original may be moved or deleted after this
            path = save_prepared(self.settings, image.path.expanduser(), image.path.name)
            images.append({"path": str(path), "alt": image.alt.strip()})
        for upload in request.uploads:
            path = save_prepared(self.settings, upload.data, upload.filename)
            images.append({"path": str(path), "alt": upload.alt.strip()})
        if request.card is not None and talk is not None:
            card = draw_card(self.settings, self.talks(), request.card, talk.id, request.text)
            path = save_upload(self.settings, card.data, f"card{card.extension}", prefix="card-")
            images.append({"path": str(path), "alt": request.card_alt.strip() or card.alt})
        return {"images": images} if images else None

    def _ensure_planned(self, key: str) -> None:
        """A reply needs its parent in the outbox: plan the talk first if it is not there."""
        with session_scope(self.engine) as session:
            if queries.find_by_key(session, self.event(session), key) is not None:
                return
        replan(self.engine, self.settings, self.clock())

    # --- changing -----------------------------------------------------------------------------

    def edit(
        self,
        post_id: int,
        *,
        text: str | None = None,
        due_at: datetime | None = None,
        alts: list[str] | None = None,
    ) -> Changed:
        """Change a post not sent yet: new text (hashtags and facets found again; it must stay one
        post), a new time (a failed or missed post given one is queued again), image
        descriptions. Re-planning keeps the change."""
        ensure(self.actor, Action.CHANGE_OWN)  # before the post is even looked up
        if text is None and due_at is None and alts is None:
            raise InputError("queue edit", "nothing to change", hint="Give --text and/or --at.")
        with _unless_changed_meanwhile(post_id):
            return self._edit(post_id, text, due_at, alts)

    def get(self, post_id: int) -> dict[str, Any]:
        """One post as ``queue list --json`` shows it."""
        ensure(self.actor, Action.READ)
        with session_scope(self.engine) as session:
            row = queries.get_post(session, self.event(session), post_id)
            if sees_only_own_posts(self.actor) and row.author_id != self.actor.identity:
                raise NotAllowed(f"post {post_id} is not {self.actor.name}'s")
            return post_json(row, self.settings.zone)

    def _edit(
        self, post_id: int, text: str | None, due_at: datetime | None, alts: list[str] | None
    ) -> Changed:
        with self.session() as (session, event):
            row = queries.get_post(session, event, post_id)
            ensure_may_change(self.actor, row.id, row.author_id)
            changes: dict[str, Any] = {}
            if text is not None:
                changes.update(self._recompose_one(text, row))
            if due_at is not None and due_at != row.due_at:
                changes["due_at"] = due_at
            if alts is not None and row.embed and row.embed.get("images"):
                images = [dict(i) for i in row.embed["images"]]
                for image, alt in zip(images, alts, strict=False):
                    if not has_visible_text(alt):
                        raise InputError("alt", "every image needs its description (alt text)")
                    image["alt"] = alt.strip()
                changes["embed"] = {**row.embed, "images": images}
            queries.edit(
                row, **changes, edited_by=self.actor.name, edited_by_id=self.actor.identity
            )
            if due_at is not None and row.state in (PostState.FAILED, PostState.MISSED):
                queries.retry(row, due_at)
            self.audit(session, event, "edit", f"post {row.id}", ", ".join(sorted(changes)))
            return Changed(row.id, row.key, row.state, row.due_at)

    def _recompose_one(self, text: str, row: OutboxRow) -> dict[str, Any]:
        body = normalize(text)
        if not body:
            raise InputError(
                "text", "a post needs text", hint="To drop the post, cancel it instead."
            )
        alone = grapheme_count(body)
        too_long = OutboxError(
            f"That is {alone} characters"
            + ("" if alone > MAX_GRAPHEMES else " with the hashtags")
            + f"; a post holds {MAX_GRAPHEMES}.",
            hint="Shorten it, or cancel it and queue the text again as a thread.",
        )
        if alone > MAX_GRAPHEMES:
            raise too_long
        posts = compose_for_event(
            self.settings, body, kind=PostKind.FREE, langs=row.langs or None, extra_hashtags=[]
        )
        if len(posts) > 1:
            raise too_long
        post = posts[0]
        return {
            "text": post.text,
            "facets": [f.to_json() for f in post.facets],
            "tags": list(post.tags),
        }

    def cancel(self, post_id: int) -> list[Changed]:
        """Cancel a post not sent yet and the unsent replies under it (the given post first)."""
        ensure(self.actor, Action.CHANGE_OWN)  # before the post is even looked up
        with _unless_changed_meanwhile(post_id), self.session() as (session, event):
            row = queries.get_post(session, event, post_id)
            ensure_may_change(self.actor, row.id, row.author_id)
            cancelled = queries.cancel(session, row)
            for gone in cancelled:
                gone.cancelled_by = self.actor.name
                gone.cancelled_by_id = self.actor.identity
            ids = ", ".join(str(r.id) for r in cancelled)
            self.audit(session, event, "cancel", f"post {row.id}", f"cancelled {ids}")
            return [_changed(r) for r in cancelled]

    def retry(self, post_id: int) -> Changed:
        """Queue a failed or missed post again, to go out now."""
        ensure(self.actor, Action.RETRY)
        with _unless_changed_meanwhile(post_id), self.session() as (session, event):
            row = queries.get_post(session, event, post_id)
            queries.retry(row, self.clock())
            self.audit(session, event, "retry", f"post {row.id}")
            return _changed(row)

    def move(self, post_id: int, direction: str) -> None:
        """Swap a queued post's due time with the queued post before (``up``) or after it.

        Equal times are split by a second so that the order really changes.
        """
        ensure(self.actor, Action.REORDER)
        if direction not in ("up", "down"):
            raise InputError("direction", f"move a post up or down, not {direction!r}")
        with _unless_changed_meanwhile(post_id), self.session() as (session, event):
            row = queries.get_post(session, event, post_id)
            self.audit(session, event, "move", f"post {row.id}", direction)
            queued = queries.list_posts(session, event, [PostState.QUEUED])
            if row not in queued:
                raise OutboxError(f"cannot move post {post_id}: it is {row.state}")
            index = queued.index(row)
            other_index = index - 1 if direction == "up" else index + 1
            if not 0 <= other_index < len(queued):
                return
            other = queued[other_index]
            mine, theirs = row.due_at, other.due_at
            if mine == theirs:
                step = timedelta(seconds=1)
                queries.edit(row, due_at=theirs - step if direction == "up" else theirs + step)
            else:
                queries.edit(row, due_at=theirs)
                queries.edit(other, due_at=mine)

    def set_paused(self, paused: bool) -> None:
        """Pause or resume the whole event: the daemon sends nothing while it is paused."""
        ensure(self.actor, Action.PAUSE)
        with self.session() as (session, event):
            event.paused = paused
            self.audit(session, event, "pause" if paused else "resume", "sending")


def request_digest(request: PostRequest, talk: Talk | None) -> str:
    """What a request asks for, as a SHA-256: its text (as it will be posted), talk, time, images
    (their bytes, or their path) and alt text, card and thread. The idempotency key stands for
    one such request: the same key with another digest is another post."""
    asked = {
        "text": normalize(request.text),
        "talk": talk.id if talk is not None else None,
        "due": request.due_at.isoformat() if request.due_at else None,
        "images": [[str(i.path), i.alt.strip()] for i in request.images],
        "uploads": [[hashlib.sha256(u.data).hexdigest(), u.alt.strip()] for u in request.uploads],
        "card": [request.card, request.card_alt.strip()] if request.card else None,
        "in_thread": request.in_thread,
    }
    # ensure_ascii: a lone surrogate (only a front end that let one through) still hashes
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


def _check_decodes(source: Path | bytes, name: str) -> None:
    from livepost.cards.images import load_image

    try:
        load_image(source, name=name)
    except InputError as exc:
        raise InputError("image", f"{name}: {exc.detail}", hint=exc.hint) from exc


def _check_alt(name: str, alt: str) -> None:
    if not has_visible_text(alt):  # spaces or zero-width characters describe nothing
        raise InputError("alt", f"{name} has no alt text", hint=NEEDS_ALT)
    if len(alt) > MAX_ALT:
        raise InputError("alt", f"the alt text of {name} is longer than {MAX_ALT} characters")


@contextmanager
def _unless_changed_meanwhile(post_id: int) -> Iterator[None]:
    """A change made from a stale copy (the daemon sent the post, or someone else changed it,
    between our read and our write) is refused, never half applied."""
    try:
        yield
    except ConcurrentChange:
        raise OutboxError(
            f"post {post_id} was sent or changed by someone else meanwhile: nothing was changed",
            hint="See where it stands with: livepost queue list --all",
        ) from None


def _queued(rows: list[OutboxRow], parent: OutboxRow | None) -> Queued:
    return Queued(
        [r.id for r in rows],
        [r.key for r in rows],
        rows[0].due_at,
        parent.key if parent else None,
        [r.text for r in rows],
        state=rows[0].state,
    )


def _changed(row: OutboxRow) -> Changed:
    return Changed(row.id, row.key, row.state, row.due_at)


def draw_card(settings: Settings, talks: list[Talk], kind: str, talk_id: str, text: str) -> Any:
    """The talk or quote card of a talk, exactly as the publisher would attach it."""

    if kind not in CARD_KINDS:
        raise InputError("card", f"unknown card kind {kind!r}")
    return render_event_card(settings, talks, talk_id, kind=kind, text=text.strip() or None)


_SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}


def save_prepared(settings: Settings, source: Path | bytes, name: str) -> Path:
    """Keep a person's photo in ``uploads/`` as it will be sent: oriented, metadata (EXIF, GPS)
    stripped, resized to Bluesky's limits. The queue then never depends on the original."""
    from livepost.cards.images import prepare_image

    try:
        prepared = prepare_image(source, name=name)
    except InputError as exc:
        raise InputError("image", f"{name}: {exc.detail}", hint=exc.hint) from exc
    return save_upload(settings, prepared.data, f"photo{_SUFFIXES.get(prepared.mime, '.img')}")


def save_upload(settings: Settings, data: bytes, filename: str, *, prefix: str = "") -> Path:
    """Keep an uploaded image (or a drawn card) in the event's ``uploads/`` folder."""
    suffix = Path(filename).suffix.lower() if filename else ""
    if not suffix or len(suffix) > 6 or not suffix[1:].isalnum():
        suffix = ".img"
    folder = settings.event_dir / UPLOADS
    folder.mkdir(exist_ok=True)
    path = folder / f"{prefix}{uuid.uuid4().hex[:16]}{suffix}"
    return write_bytes(path, data, mode=0o600).resolve()
