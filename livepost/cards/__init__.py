"""Image cards and image preparation for posts (see docs/cards.md).

Public entry points: :func:`render_card` (draw and encode a card), :func:`prepare_image` (ready a
user's photo for upload), :class:`CardEvent`, :class:`Card`, :class:`PreparedImage`.

The names are loaded when first used: drawing needs Pillow, which costs a tenth of a second, and
the planner or a command that only reads a card's alt text or kinds must not pay for it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from livepost.cards.alt import card_alt
    from livepost.cards.data import CardEvent
    from livepost.cards.encode import MAX_IMAGE_BYTES
    from livepost.cards.images import PreparedImage, prepare_image
    from livepost.cards.render import Card, CardError, draw_card, render_card
    from livepost.cards.spec import CARD_KINDS, CardKind
    from livepost.cards.themes import BUILTIN_THEMES, contrast_ratio, get_theme

_HOMES = {
    "card_alt": "alt",
    "CardEvent": "data",
    "MAX_IMAGE_BYTES": "encode",
    "PreparedImage": "images",
    "prepare_image": "images",
    "Card": "render",
    "CardError": "render",
    "draw_card": "render",
    "render_card": "render",
    "CARD_KINDS": "spec",
    "CardKind": "spec",
    "BUILTIN_THEMES": "themes",
    "contrast_ratio": "themes",
    "get_theme": "themes",
}

__all__ = [
    "BUILTIN_THEMES",
    "CARD_KINDS",
    "MAX_IMAGE_BYTES",
    "Card",
    "CardError",
    "CardEvent",
    "CardKind",
    "PreparedImage",
    "card_alt",
    "contrast_ratio",
    "draw_card",
    "get_theme",
    "prepare_image",
    "render_card",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'livepost.cards' has no attribute {name!r}")
    return getattr(import_module(f"livepost.cards.{home}"), name)
