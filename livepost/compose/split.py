"""Cutting a text that is too long for one post into the parts of a thread.

A part ends at a paragraph break when one is close enough to the limit, else at a sentence end
or line break, else between words; never inside a word, URL, hashtag, mention or grapheme
cluster (a cut is only made at a run of whitespace whose both ends are cluster boundaries). The
parts are slices of the original text, so joining them gives back the original words in order.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import regex

from livepost.errors import LivepostError

PARAGRAPH, SENTENCE, WORD = 3, 2, 1

# Break at whitespace the official client also treats as whitespace (so a URL never spans a
# cut), except no-break spaces, which the author put there to keep two things together.
_RUN = regex.compile(r"[\t\n\x0b\x0c\r \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]+")
_SENTENCE_END = regex.compile(r"[.!?…。！？][\"'”’»)\]]*\Z")
_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "st", "sgt", "insp", "supt", "ch", "no", "vs", "etc"}
    | {"e.g", "i.e", "cf", "fig", "approx", "dept", "est", "jr", "sr"}
)
_GRAPHEME = regex.compile(r"\X")

# A part should be at least this share of the longest part that would fit before a lower-level
# break is preferred (a one-line first paragraph should not become a post of its own when the
# next paragraph has to be cut anyway).
MIN_FILL = 0.5


@dataclass(frozen=True)
class _Break:
    cut: int  # the part ends here (start of the whitespace run)
    resume: int  # the next part starts here (end of the run)
    level: int


def _level(text: str, start: int, end: int) -> int:
    run = text[start:end]
    newlines = run.count("\n") + run.count("\u2029")
    if newlines >= 2:
        return PARAGRAPH
    if newlines == 1 or "\u2028" in run:
        return SENTENCE
    before = text[max(0, start - 64) : start]
    if _SENTENCE_END.search(before[-4:]):
        word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.strip() else ""
        if word not in _ABBREVIATIONS and not (len(word) == 1 and word.isalpha()):
            return SENTENCE
    return WORD


def breaks(text: str) -> list[_Break]:
    """Every place the text may be cut, in order, with how good a place it is."""
    boundaries: set[int] | None = None
    if not text.isascii():
        boundaries = {m.start() for m in _GRAPHEME.finditer(text)}
        boundaries.add(len(text))
    found = []
    for match in _RUN.finditer(text):
        start, end = match.span()
        if start == 0 or end == len(text):
            continue
        if boundaries is not None and (start not in boundaries or end not in boundaries):
            continue
        found.append(_Break(start, end, _level(text, start, end)))
    return found


def split_text(text: str, fits: Callable[[str, int], bool]) -> list[str]:
    """Cut ``text`` into parts such that ``fits(part, index)`` holds for each.

    ``fits`` gets the part's index (0 for the first) because the first part may carry more
    hashtags than the others. Raises :class:`LivepostError` if a single word cannot fit.
    """
    if fits(text, 0):
        return [text]
    cuts = breaks(text)
    positions = [b.cut for b in cuts]
    parts: list[str] = []
    start = 0
    while True:
        index = len(parts)
        rest = text[start:]
        if fits(rest, index):
            parts.append(rest)
            return parts
        first = bisect_right(positions, start)
        candidates = cuts[first:]
        lo, hi = 0, len(candidates) - 1
        best = -1
        while lo <= hi:  # the longest part that fits (fits is monotonic in the cut)
            mid = (lo + hi) // 2
            if fits(text[start : candidates[mid].cut], index):
                best, lo = mid, mid + 1
            else:
                hi = mid - 1
        if best < 0:
            word = rest.split(None, 1)[0]
            raise LivepostError(
                f"Cannot split the text into posts: {word[:40]!r}... is too long for one post.",
                hint="Shorten that word or link, or put spaces in it.",
            )
        chosen = _prefer_higher_level(candidates[: best + 1], start)
        parts.append(text[start : chosen.cut])
        start = chosen.resume


def _prefer_higher_level(fitting: list[_Break], start: int) -> _Break:
    """A paragraph break, else a sentence end, else the last word that fits.

    A paragraph or sentence break that fills the part at least ``MIN_FILL`` wins over a higher
    level one that fills it less; any paragraph or sentence break wins over cutting a sentence.
    """
    longest = fitting[-1].cut - start
    for level, fill in ((PARAGRAPH, MIN_FILL), (SENTENCE, MIN_FILL), (PARAGRAPH, 0), (SENTENCE, 0)):
        for candidate in reversed(fitting):
            if candidate.level >= level:
                if candidate.cut - start >= fill * longest:
                    return candidate
                break
    return fitting[-1]
