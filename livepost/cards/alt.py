"""Alt text for every card, written from the same fields the card draws.

Bluesky shows an image without a description to screen-reader users as nothing at all, so a card
is never produced without alt text; a post may override it (``render_card(..., alt="...")``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from livepost.cards.data import CardEvent, clock, join_names, stat_items, strip_quotes
from livepost.model import Talk

MAX_ALT_CHARS = 2000  # the Bluesky app's limit for image descriptions
#: Unicode categories that draw nothing: separators (Zs, Zl, Zp), controls (Cc), format
#: characters (Cf: U+200B..U+200D, U+2060, U+FEFF, bidi marks...), unassigned and private (Cn,
#: Co, Cs), and combining marks with no base to sit on (Mn, Me)
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cn", "Co", "Cs", "Mn", "Me"})
#: invisible although Unicode files them elsewhere: the Hangul fillers and the braille blank
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible_text(alt: str) -> bool:
    """Whether ``alt`` holds at least one character a reader can see: alt text made only of
    spaces, zero-width characters (U+200B..U+200D, U+2060, U+FEFF) or other format characters
    describes nothing to a screen reader and counts as missing. The one rule for every image."""
    return any(
        ch not in _BLANK and unicodedata.category(ch) not in _INVISIBLE and not ch.isspace()
        for ch in alt
    )


def _where_when(talk: Talk, event: CardEvent, at: str = "at ") -> str:
    text = f"{at}{clock(talk.start, event.zone())}"
    return f"{text} in {talk.room}" if talk.room else text


def _by(talk: Talk) -> str:
    names = join_names([p.name for p in talk.speakers])
    return f" by {names}" if names else ""


def _talk_phrase(talk: Talk, event: CardEvent, at: str = "at ") -> str:
    return f"{_where_when(talk, event, at)}, '{talk.title.strip()}'{_by(talk)}"


def card_alt(
    kind: str,
    *,
    event: CardEvent,
    talk: Talk | None = None,
    talks: Sequence[Talk] = (),
    text: str | None = None,
    stats: Mapping[str, int | str] | None = None,
    heading: str | None = None,
) -> str:
    """A one-sentence description, e.g. "Card: next talk at 14:15 in Room 2, 'Title' by Name"."""
    if kind == "talk" and talk is not None:
        people = [f"{p.name} ({p.affiliation})" if p.affiliation else p.name for p in talk.speakers]
        by = f" by {join_names(people)}" if people else ""
        alt = f"Card: talk {_where_when(talk, event)}, '{talk.title.strip()}'{by}"
    elif kind == "quote":
        quote = strip_quotes(text or "")
        who = join_names([p.name for p in talk.speakers]) if talk else ""
        source = f" from {who}" if who else ""
        where = f" in '{talk.title.strip()}'" if talk else ""
        alt = f"Card: quote{source}{where}: “{quote}”"
    elif kind == "next":
        if len(talks) == 1:
            alt = f"Card: next talk {_talk_phrase(talks[0], event)}"
        else:
            alt = "Card: next talks: " + "; ".join(_talk_phrase(t, event, at="") for t in talks)
    elif kind == "wrapup":
        title = heading or f"{event.name} in numbers"
        numbers = ", ".join(f"{n} {label}" for n, label in stat_items(stats or {}))
        alt = f"Card: {title}: {numbers}" if numbers else f"Card: {title}"
    else:
        alt = f"Card: {event.name}"
    if len(alt) > MAX_ALT_CHARS:
        alt = alt[: MAX_ALT_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return alt
