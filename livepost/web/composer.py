"""Compose in the console: the form, its preview and its submission, on top of the application
layer (:class:`livepost.app.queue.EventQueue`), so the counts, hashtags, facets and thread split
shown are exactly what ``livepost compose`` and ``livepost queue`` give and what is sent.

An attached image is kept as uploaded in the event's ``uploads/`` folder; a card is drawn at queue
time and stored there too, with its alt text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from livepost.app.post_view import PostView
from livepost.app.queue import PostRequest, Upload, draw_card
from livepost.errors import InputError, LivepostError, NotAllowed
from livepost.model import Talk
from livepost.web.errors import message_of

if TYPE_CHECKING:
    from livepost.app.event import EventApp
    from livepost.cards import Card
    from livepost.compose.compose import ComposedPost

ATTACH_CHOICES = ("none", "image", "talk-card", "quote-card")


class ComposeError(LivepostError):
    """What the officer asked for cannot be queued (names the field to fix)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    @classmethod
    def of(cls, exc: LivepostError) -> ComposeError:
        """The application layer's error, as the form shows it (next to the field at fault)."""
        if isinstance(exc, InputError):
            return cls(exc.path, exc.detail + (f". {exc.hint}" if exc.hint else "."))
        return cls("text", message_of(exc))


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
    parent: PostView | None = None  # the announcement it would reply to
    thread_note: str = ""
    error: str = ""
    card_url: str = ""

    @property
    def graphemes(self) -> int:
        return sum(p.graphemes for p in self.posts)


def preview(app: EventApp, form: ComposeForm) -> Preview:
    """Compose the form's text; errors become the preview's message, never an exception."""
    from urllib.parse import urlencode

    result = Preview()
    try:
        found = app.queue.preview(form.text, form.talk_id or None, in_thread=form.in_thread)
    except NotAllowed:
        raise
    except LivepostError as exc:
        result.error = message_of(exc)
        return result
    result.posts, result.talk = found.posts, found.talk
    result.added_tags, result.present_tags = found.added_tags, found.present_tags
    result.thread_note = found.thread_note
    if found.parent is not None:
        result.parent = app.queue_view.post(int(found.parent["id"]))
    talk = found.talk
    if talk is not None and form.attach in ("talk-card", "quote-card") and form.text.strip():
        kind = "talk" if form.attach == "talk-card" else "quote"
        query = {"kind": kind, "talk": talk.id}
        if kind == "quote":
            query["text"] = form.text.strip()[:600]
        result.card_url = "/card.png?" + urlencode(query)
    return result


def card_image(app: EventApp, kind: str, talk_id: str, text: str = "") -> Card:
    """The talk or quote card for the preview (cached: it is asked for on every pause)."""
    if not talk_id:
        raise ComposeError("talk", "A card needs a talk: choose one.")
    talks = app.queue.talks()
    talk = [t for t in talks if t.id == talk_id]
    key = (kind, repr(talk), text.strip(), repr(app.settings.event))
    with _CARDS_LOCK:
        card = _CARDS.get(key)
    if card is None:
        card = draw_card(app.settings, talks, kind, talk_id, text)
        with _CARDS_LOCK:
            if len(_CARDS) >= 32:
                _CARDS.pop(next(iter(_CARDS)))
            _CARDS[key] = card
    return card


#: recently drawn cards (the preview asks for the same card on every keystroke pause)
_CARDS: dict[tuple[object, ...], Card] = {}
_CARDS_LOCK = threading.Lock()  # requests run in a thread pool


def due_time(app: EventApp, form: ComposeForm) -> datetime | None:
    """When the post is due: None for now, or the form's local time in the event's zone."""
    if form.when == "now":
        return None
    if not form.at:
        raise ComposeError("at", "Choose the date and time to send at, or choose 'Send now'.")
    try:
        local = datetime.fromisoformat(form.at)
    except ValueError:
        raise ComposeError(
            "at", f"{form.at!r} is not a date and time (use the picker: YYYY-MM-DD HH:MM)."
        ) from None
    return local.replace(tzinfo=app.zone) if local.tzinfo is None else local


def queue_form(
    app: EventApp, form: ComposeForm, image: bytes | None = None, filename: str = ""
) -> list[int]:
    """Queue the form's post (or thread); returns the new rows' ids. A refused form leaves no
    row and no file (the application layer checks everything before it writes)."""
    request = PostRequest(
        form.text,
        talk_id=form.talk_id or None,
        due_at=due_time(app, form),
        in_thread=form.in_thread,
    )
    if form.attach == "image":
        request.uploads.append(Upload(image or b"", filename, form.alt))
    elif form.attach in ("talk-card", "quote-card"):
        request.card = "talk" if form.attach == "talk-card" else "quote"
        request.card_alt = form.alt
    try:
        return app.queue.queue(request).ids
    except NotAllowed:
        raise
    except LivepostError as exc:
        raise ComposeError.of(exc) from exc
