"""Wrap and auto-fit text into a box: never overflow, never break inside a word.

The order of resorts, from the issue: first shrink the font until the text fits (wrapping only
where words end: spaces, and after a hyphen or slash); below the layout's smallest size, keep
shrinking only as far as needed for the longest single word to fit the width (a 60-character word
is drawn small, not cut); only when the lines still do not fit the height, end the last line that
fits with an ellipsis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

from livepost.cards.fonts import FontChain

ELLIPSIS = "…"
FLOOR_SIZE = 8  # below this nothing is readable; a word wider than the box even here is cut
# A word's breakable pieces: text ending in hyphens/dashes/slashes, so "state-of-the-art" may wrap
# after each hyphen but nowhere else; and each Chinese or Japanese character (those scripts use
# no spaces), keeping closing punctuation with the character before it.
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}ー"
_PIECES = regex.compile(
    rf"[{_CJK}][、。，．！？）」』》〉・：；,.!?)]*"
    rf"|[^\-‐–—/{_CJK}]+[\-‐–—/]*"
    r"|[\-‐–—/]+"
)


@dataclass(frozen=True)
class TextBlock:
    """Text laid out in a box: its lines at one size, and how tall the block is."""

    lines: tuple[str, ...]
    size: int
    pitch: float  # baseline to baseline
    ascent: int
    descent: int
    truncated: bool

    @property
    def height(self) -> float:
        """Height from the top of the first line box to the bottom of the last."""
        if not self.lines:
            return 0.0
        return (len(self.lines) - 1) * self.pitch + self.ascent + self.descent


def _tokens(paragraph: str) -> list[tuple[str, bool]]:
    """(piece, starts a new word) for every breakable piece of a paragraph."""
    tokens: list[tuple[str, bool]] = []
    for word in paragraph.split(" "):
        if not word:
            continue
        for i, piece in enumerate(_PIECES.findall(word)):
            tokens.append((piece, i == 0))
    return tokens


def wrap(text: str, chain: FontChain, size: int, width: float) -> list[str] | None:
    """Greedy word wrap of cleaned ``text``; ``None`` if one piece alone is wider than ``width``.

    A newline in ``text`` is a forced line break. Widths are summed per piece (the basic layout
    has no kerning across pieces), then every line is measured whole to be sure.
    """
    space = chain.length(" ", size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for piece, new_word in _tokens(paragraph):
            piece_width = chain.length(piece, size)
            if piece_width > width:
                return None
            gap = space if (line and new_word) else 0.0
            if line and line_width + gap + piece_width > width:
                lines.append(line)
                line, line_width = piece, piece_width
                continue
            line = (line + " " + piece if new_word else line + piece) if line else piece
            line_width += gap + piece_width
        if line:
            lines.append(line)
    if any(chain.length(line, size) > width for line in lines):
        return None
    return lines


def _block(
    chain: FontChain, lines: list[str], size: int, line_height: float, truncated: bool = False
) -> TextBlock:
    ascent, descent = chain.metrics(size)
    return TextBlock(tuple(lines), size, size * line_height, ascent, descent, truncated)


def _fits(
    chain: FontChain,
    text: str,
    size: int,
    width: float,
    height: float,
    line_height: float,
    max_lines: int | None,
) -> TextBlock | None:
    lines = wrap(text, chain, size, width)
    if lines is None or (max_lines is not None and len(lines) > max_lines):
        return None
    block = _block(chain, lines, size, line_height)
    return block if block.height <= height else None


def _largest(lo: int, hi: int, ok: Callable[[int], bool]) -> int | None:
    """Largest n in [lo, hi] for which ``ok(n)`` holds (binary search; ``ok`` is monotone)."""
    best = None
    while lo <= hi:
        mid = (lo + hi) // 2
        if ok(mid):
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    return best


def _ellipsize(line: str, chain: FontChain, size: int, width: float) -> str:
    """``line`` shortened at word ends until it plus an ellipsis fits ``width``."""
    words = line.split(" ")

    def candidate(n: int) -> str:
        return " ".join(words[:n]).rstrip(",;:.-–— ") + ELLIPSIS

    count = _largest(1, len(words), lambda n: chain.length(candidate(n), size) <= width)
    if count is not None:
        return candidate(count)
    # A single word wider than the box even at the floor size: the one place we cut inside a word.
    word = words[0]
    while word and chain.length(word + ELLIPSIS, size) > width:
        word = word[:-1]
    return word + ELLIPSIS


def fit_text(
    text: str,
    chain: FontChain,
    width: float,
    height: float,
    *,
    max_size: int,
    min_size: int,
    line_height: float = 1.2,
    max_lines: int | None = None,
) -> TextBlock:
    """Lay out ``text`` in a ``width`` x ``height`` box at the largest size that fits."""
    text = chain.clean(text)
    min_size = max(FLOOR_SIZE, min(min_size, max_size))
    if not text:
        return _block(chain, [], max_size, line_height)
    found: dict[int, TextBlock] = {}

    def ok(size: int) -> bool:
        block = _fits(chain, text, size, width, height, line_height, max_lines)
        if block is not None:
            found[size] = block
        return block is not None

    size = _largest(min_size, max_size, ok)
    if size is not None:
        return found[size]
    # Nothing fits at min_size. If a word is too wide, shrink (below min_size) until words fit.
    size = min_size
    if wrap(text, chain, size, width) is None:
        smaller = _largest(
            FLOOR_SIZE, min_size - 1, lambda s: wrap(text, chain, s, width) is not None
        )
        size = smaller if smaller is not None else FLOOR_SIZE
        block = _fits(chain, text, size, width, height, line_height, max_lines)
        if block is not None:
            return block
    # Still too tall: keep the lines that fit and end the last one with an ellipsis.
    lines = wrap(text, chain, size, width) or [text]
    ascent, descent = chain.metrics(size)
    pitch = size * line_height
    room = 1 + int(max(0.0, height - ascent - descent) // pitch)
    if max_lines is not None:
        room = min(room, max_lines)
    room = max(1, room)
    kept = lines[:room]
    kept[-1] = _ellipsize(kept[-1] + " " + " ".join(lines[room:]), chain, size, width)
    if _block(chain, kept, size, line_height).height > height:
        # Not even one line at this size fits the height: use the largest size that does.
        single = _largest(FLOOR_SIZE, size, lambda s: sum(chain.metrics(s)) <= height)
        size = single if single is not None else FLOOR_SIZE
        kept = [_ellipsize(" ".join(lines), chain, size, width)]
    return _block(chain, kept, size, line_height, truncated=True)
