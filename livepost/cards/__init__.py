"""Image cards and image preparation for posts (see docs/cards.md).

Public entry points: :func:`render_card` (draw and encode a card), :func:`prepare_image` (ready a
user's photo for upload), :class:`CardEvent`, :class:`Card`, :class:`PreparedImage`.
"""

from livepost.cards.alt import card_alt
from livepost.cards.data import CardEvent
from livepost.cards.encode import MAX_IMAGE_BYTES
from livepost.cards.images import PreparedImage, prepare_image
from livepost.cards.render import Card, CardError, draw_card, render_card
from livepost.cards.spec import CARD_KINDS, CardKind
from livepost.cards.themes import BUILTIN_THEMES, contrast_ratio, get_theme

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
