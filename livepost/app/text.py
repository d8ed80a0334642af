"""Composing a text outside any event (``livepost compose`` outside an event folder), and the
post type front ends render."""

from __future__ import annotations

from typing import TYPE_CHECKING

from livepost.compose.text import MAX_GRAPHEMES as MAX_GRAPHEMES

if TYPE_CHECKING:
    from livepost.compose.compose import ComposedPost as ComposedPost


def compose_plain(text: str, kind: str = "free") -> list[ComposedPost]:
    """The post or thread ``text`` becomes with no event: no event hashtags, English."""
    from livepost.compose.compose import compose

    return compose(text, kind=kind, event_hashtags=[], langs=["en"])
