"""Compose in the console: preview exactly what will be sent, then queue it in the outbox.

The preview runs the same :func:`livepost.compose.compose.compose` as ``livepost compose``, so the
counts, hashtags, facets and thread split shown are what the publisher sends. An attached image is
kept as uploaded in the event's ``uploads/`` folder and referenced from the outbox row's embed;
the publisher prepares and uploads it at send time. A card is drawn at queue time and stored
there too, with its alt text.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livepost.errors import InputError, LivepostError
from livepost.model import Talk
from livepost.web.console import Console, PostView

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from livepost.cards import Card
    from livepost.compose.compose import ComposedPost
    from livepost.store.models import EventRow, OutboxRow

UPLOADS = "uploads"
ATTACH_CHOICES = ("none", "image", "talk-card", "quote-card")
MAX_ALT = 2000
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
#: a time this far in the past is a mistake, not "now"
PAST_TOLERANCE = timedelta(minutes=1)


class ComposeError(LivepostError):
    """What the officer asked for cannot be queued (names the field to fix)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class ComposeForm:
    """The compose form as submitted."""

    text: str = ""
    talk_id: str = ""
    in_thread: bool = True
    attach: str = "none"
    alt: str = ""
    when: str = "now"  # "now" | "at"
    at: str = ""  # datetime-local value, in the event's zone

    @classmethod
    def from_fields(cls, get: Any) -> ComposeForm:
        """From a mapping of form fields (``get(name)`` returns a string or None)."""

        def text(name: str, default: str = "") -> str:
            value = get(name)
            return value if isinstance(value, str) else default

        attach = text("attach", "none")
        return cls(
            text=text("text"),
            talk_id=text("talk").strip(),
            in_thread=text("in_thread") == "on",
            attach=attach if attach in ATTACH_CHOICES else "none",
            alt=text("alt").strip(),
            when="at" if text("when") == "at" else "now",
            at=text("at").strip(),
        )


@dataclass
class Preview:
    """What the compose form would queue."""

    posts: list[ComposedPost] = field(default_factory=list)
    added_tags: list[str] = field(default_factory=list)
    present_tags: list[str] = field(default_factory=list)
    talk: Talk | None = None
    parent: PostView | None = None
    thread_note: str = ""
    error: str = ""
    card_url: str = ""

    @property
    def graphemes(self) -> int:
        return sum(p.graphemes for p in self.posts)


def _find_talk(console: Console, talk_id: str) -> Talk | None:
    if not talk_id:
        return None
    for talk in console.talks():
        if talk.id == talk_id:
            return talk
    raise ComposeError("talk", f"There is no talk with id {talk_id!r} in the programme.")


def compose_posts(console: Console, text: str, talk: Talk | None) -> list[ComposedPost]:
    """The post or thread ``text`` becomes, in this event and talk."""
    from livepost.compose.compose import compose
    from livepost.compose.context import build_context

    event = console.settings.event
    context = build_context(
        event_name=event.name,
        event_hashtags=event.hashtags,
        timezone=event.timezone,
        talk=talk,
        snippet=text,
    )
    return compose(
        text,
        kind="snippet" if talk else "free",
        context=context,
        event_hashtags=event.hashtags,
        extra_hashtags=talk.hashtags if talk else [],
        langs=event.langs,
        template_dirs=console.settings.template_dirs,
    )


def announcement_of(session: Session, event: EventRow, talk_id: str) -> OutboxRow | None:
    """The talk's announcement (the root of its thread), if one is in the outbox and not dead."""
    from sqlalchemy import select

    from livepost.store.models import OutboxRow

    return session.scalars(
        select(OutboxRow)
        .where(
            OutboxRow.event_id == event.id,
            OutboxRow.talk_id == talk_id,
            OutboxRow.kind == "announcement",
            OutboxRow.parent_id.is_(None),
            OutboxRow.state.not_in(("cancelled", "failed")),
        )
        .order_by(OutboxRow.due_at, OutboxRow.id)
        .limit(1)
    ).one_or_none()


def preview(console: Console, form: ComposeForm) -> Preview:
    """Compose the form's text; errors become the preview's message, never an exception."""
    from urllib.parse import urlencode

    from livepost.compose.hashtags import clean_tag, missing_tags
    from livepost.compose.text import normalize

    result = Preview()
    try:
        result.talk = talk = _find_talk(console, form.talk_id)
        body = normalize(form.text)
        if not body:
            return result
        result.posts = compose_posts(console, form.text, talk)
        wanted = [clean_tag(t) for t in console.settings.event.hashtags]
        if talk:
            wanted += [clean_tag(t) for t in talk.hashtags]
        result.added_tags = missing_tags(body, wanted)
        result.present_tags = [t for t in wanted if t not in result.added_tags]
    except LivepostError as exc:
        result.error = exc.message + (f" {exc.hint}" if exc.hint else "")
        return result
    if talk is not None:
        with console.session() as (session, event):
            parent = announcement_of(session, event, talk.id)
            result.parent = PostView.of(parent, console.zone) if parent else None
        if not form.in_thread:
            result.thread_note = "A new post of its own (not in the talk's thread)."
        elif result.parent is None:
            result.thread_note = (
                "A new post: this talk has no announcement in the outbox yet to reply to."
            )
        else:
            result.thread_note = "A reply in the talk's thread, under its announcement."
        if form.attach in ("talk-card", "quote-card"):
            kind = "talk" if form.attach == "talk-card" else "quote"
            query = {"kind": kind, "talk": talk.id}
            if kind == "quote":
                query["text"] = body[:600]
            result.card_url = "/card.png?" + urlencode(query)
    return result


# --- cards ---------------------------------------------------------------------------------------


def draw_card(console: Console, kind: str, talk_id: str, text: str = "") -> Card:
    """The talk or quote card for a talk, as the publisher would attach it."""
    talk = _find_talk(console, talk_id)
    if talk is None:
        raise ComposeError("talk", "A card needs a talk: choose one.")
    if kind not in ("talk", "quote"):
        raise ComposeError("attach", f"Unknown card kind {kind!r}.")
    if kind == "quote" and not text.strip():
        raise ComposeError("text", "A quote card shows the post's text: write it first.")
    settings = console.settings
    assets = settings.event_dir / "assets"
    key = (kind, repr(talk), text.strip(), repr(settings.event), tuple(settings.template_dirs))
    with _CARDS_LOCK:
        card = _CARDS.get(key)
    if card is None:
        from livepost.cards import CardEvent, render_card

        event = CardEvent(
            name=settings.event.name,
            hashtag=settings.event.hashtags[0] if settings.event.hashtags else None,
            timezone=settings.event.timezone,
            logo=_logo(assets),
        )
        card = render_card(
            kind,
            event=event,
            talk=talk,
            text=text.strip() or None,
            template_dirs=settings.template_dirs,
            asset_dirs=[assets] if assets.is_dir() else [],
        )
        with _CARDS_LOCK:
            if len(_CARDS) >= 32:
                _CARDS.pop(next(iter(_CARDS)))
            _CARDS[key] = card
    return card


#: recently drawn cards (the preview asks for the same card on every keystroke pause)
_CARDS: dict[tuple[object, ...], Card] = {}
_CARDS_LOCK = threading.Lock()  # requests run in a thread pool


def _logo(assets: Path) -> Path | None:
    for name in ("logo.png", "logo.jpg", "logo.jpeg", "logo.webp"):
        if (assets / name).is_file():
            return assets / name
    return None


# --- queueing ------------------------------------------------------------------------------------


def due_time(console: Console, form: ComposeForm) -> datetime:
    """When the post is due: now, or the form's local time in the event's zone."""
    now = console.now()
    if form.when == "now":
        return now
    if not form.at:
        raise ComposeError("at", "Choose the date and time to send at, or choose 'Send now'.")
    try:
        local = datetime.fromisoformat(form.at)
    except ValueError:
        raise ComposeError(
            "at", f"{form.at!r} is not a date and time (use the picker: YYYY-MM-DD HH:MM)."
        ) from None
    due = local.replace(tzinfo=console.zone) if local.tzinfo is None else local
    if due < now - PAST_TOLERANCE:
        raise ComposeError(
            "at",
            f"{due:%H:%M} on {due:%d %B} has passed; choose a later time or 'Send now'.",
        )
    return due


def save_upload(console: Console, data: bytes, filename: str) -> Path:
    """Check that ``data`` is an image livepost can send, then keep it in ``uploads/``."""
    from livepost.cards.images import load_image

    if len(data) > MAX_UPLOAD_BYTES:
        raise ComposeError(
            "image", f"The image is {len(data) / 1024 / 1024:.1f} MB; send one up to 25 MB."
        )
    try:
        load_image(data, name=filename or "the image")
    except InputError as exc:
        raise ComposeError("image", f"{filename or 'The image'}: {exc.message}") from exc
    suffix = Path(filename).suffix.lower() if filename else ""
    if not suffix or len(suffix) > 6 or not suffix[1:].isalnum():
        suffix = ".img"
    folder = console.settings.event_dir / UPLOADS
    folder.mkdir(exist_ok=True)
    path = folder / f"{uuid.uuid4().hex[:16]}{suffix}"
    path.write_bytes(data)
    return path.resolve()


def _save_card(console: Console, card: Card) -> Path:
    folder = console.settings.event_dir / UPLOADS
    folder.mkdir(exist_ok=True)
    path = folder / f"card-{uuid.uuid4().hex[:16]}{card.extension}"
    path.write_bytes(card.data)
    return path.resolve()


def queue_form(
    console: Console, form: ComposeForm, image: bytes | None = None, filename: str = ""
) -> list[int]:
    """Queue the form's post (or thread) in the outbox; returns the new rows' ids.

    Every check happens before anything is written: a refused form leaves no row and no file.
    """
    from livepost.outbox import Draft, add_thread, manual_key

    talk = _find_talk(console, form.talk_id)
    if not form.text.strip():
        raise ComposeError("text", "Write the post first.")
    posts = compose_posts(console, form.text, talk)
    due = due_time(console, form)
    embed: dict[str, Any] | None = None
    if form.attach == "image":
        if not image:
            raise ComposeError("image", "Choose the image to attach, or attach nothing.")
        if not form.alt:
            raise ComposeError(
                "alt",
                "Describe the image (alt text): without it, people using screen readers "
                "get nothing from it.",
            )
        if len(form.alt) > MAX_ALT:
            raise ComposeError("alt", f"Keep the alt text under {MAX_ALT} characters.")
        embed = {"images": [{"path": str(save_upload(console, image, filename)), "alt": form.alt}]}
    elif form.attach in ("talk-card", "quote-card"):
        kind = "talk" if form.attach == "talk-card" else "quote"
        card = draw_card(console, kind, form.talk_id, form.text)
        path = _save_card(console, card)
        embed = {"images": [{"path": str(path), "alt": form.alt or card.alt}]}
    key = manual_key()
    drafts = [
        Draft(
            key=key if n == 0 else f"{key}#{n + 1}",
            kind="snippet" if talk else "free",
            due_at=due,
            text=post.text,
            facets=[f.to_json() for f in post.facets],
            langs=post.langs,
            tags=post.tags,
            embed=embed if n == 0 else None,
            talk_id=talk.id if talk else None,
            origin="manual",
        )
        for n, post in enumerate(posts)
    ]
    with console.session() as (session, event):
        parent = announcement_of(session, event, talk.id) if talk and form.in_thread else None
        rows = add_thread(session, event, drafts, parent=parent)
        return [r.id for r in rows]
