"""Composing a text that needs no database (``livepost compose`` outside an event folder, or in
one without ``--talk``), and the post type front ends render."""

from __future__ import annotations

from typing import TYPE_CHECKING

from livepost.compose.text import MAX_GRAPHEMES as MAX_GRAPHEMES

if TYPE_CHECKING:
    from livepost.compose.compose import ComposedPost as ComposedPost
    from livepost.config import Settings


def compose_plain(text: str, kind: str = "free") -> list[ComposedPost]:
    """The post or thread ``text`` becomes with no event: no event hashtags, English."""
    from livepost.compose.compose import compose

    return compose(text, kind=kind, event_hashtags=[], langs=["en"])


def compose_in_event(settings: Settings, text: str, kind: str | None = None) -> list[ComposedPost]:
    """The posts ``text`` becomes in this event, outside any talk: what the queue would send (the
    same call as :meth:`livepost.app.queue.EventQueue.compose`), with no database to open."""
    from livepost.compose.for_event import compose_for_event

    return compose_for_event(settings, text, talk=None, kind=kind)
