"""Text rules every post obeys: NFC, no trailing whitespace, and counts the way Bluesky counts.

Bluesky rejects a post over 300 graphemes or 3000 UTF-8 bytes. Graphemes are counted with the
``regex`` module's ``\\X`` (extended grapheme clusters), which agrees with the official client's
``Intl.Segmenter`` count (checked string by string in ``tests/compose/test_parity.py``).
"""

from __future__ import annotations

import unicodedata

import regex

from livepost.errors import InputError

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
#: the longest text livepost takes for one post or snippet (split into a thread of about ten
#: posts); anything longer is a mistake (a pasted file), refused before any work is done
MAX_TEXT_GRAPHEMES = 3000

_GRAPHEME = regex.compile(r"\X")
_TRAILING_SPACE = regex.compile(r"[^\S\n]+$", regex.MULTILINE)


def normalize(text: str) -> str:
    """NFC-normalize, drop trailing whitespace on every line and blank lines at both ends.

    A snippet's own line breaks (and blank lines between paragraphs) stay as written.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _TRAILING_SPACE.sub("", text)
    return text.strip("\n")


def grapheme_count(text: str) -> int:
    """Number of user-perceived characters (what Bluesky's 300 limit counts)."""
    if text.isascii():
        # Every ASCII character is its own cluster except CR LF, which is one.
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


def byte_count(text: str) -> int:
    """UTF-8 length (what Bluesky's 3000 limit and facet offsets count)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def graphemes(text: str) -> list[str]:
    """The text cut into grapheme clusters."""
    return _GRAPHEME.findall(text)


def fits(text: str) -> bool:
    """True when Bluesky accepts ``text`` as a post's text."""
    return byte_count(text) <= MAX_BYTES and grapheme_count(text) <= MAX_GRAPHEMES


def check_text_length(text: str) -> None:
    """Refuse text longer than :data:`MAX_TEXT_GRAPHEMES` (fast for what is clearly within)."""
    if len(text) <= MAX_TEXT_GRAPHEMES:
        return  # graphemes never outnumber code points
    length = grapheme_count(text)
    if length > MAX_TEXT_GRAPHEMES:
        raise InputError(
            "text",
            f"the text is {length:,} characters long; livepost takes at most "
            f"{MAX_TEXT_GRAPHEMES:,} for one post or snippet (a thread of about ten posts)",
            hint="Shorten it, or queue it as several posts.",
        )
