"""Right-to-left text on cards: the Unicode bidirectional algorithm (UAX #9), for one line.

A card line is drawn as runs, each with one font (Noto Sans for "Keynote:", Noto Sans Arabic for
the name after it). Raqm shapes and orders the text inside one run, but only we know the runs, so
we resolve each character's embedding level here and order the runs the way the algorithm orders
text. Explicit embeddings and isolates are not needed (card text has its bidi controls removed,
see :data:`BIDI_CONTROLS`): this implements rules P2-P3, W1-W7, N1-N2, I1-I2 and L2.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TypeVar

import regex

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the implicit marks are
# removed from card text: a stray one from a display name must not reorder the card.
BIDI_CONTROLS = regex.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

_STRONG_RTL = frozenset({"R", "AL"})
_NEUTRAL = frozenset({"B", "S", "WS", "ON", "BN", ""})
T = TypeVar("T")


def _classes(text: str) -> list[str]:
    return [unicodedata.bidirectional(c) for c in text]


def base_level(text: str) -> int:
    """0 (left to right) or 1: the direction of the first strong character (rules P2-P3)."""
    for cls in _classes(text):
        if cls == "L":
            return 0
        if cls in _STRONG_RTL:
            return 1
    return 0


def _weak(types: list[str], base: int) -> list[str]:
    sos = "R" if base else "L"
    # W1: a non-spacing mark takes the type of the character before it.
    for i, cls in enumerate(types):
        if cls == "NSM":
            types[i] = types[i - 1] if i else sos
    # W2, W3: European numbers after Arabic letters are Arabic numbers; AL becomes R.
    strong = sos
    for i, cls in enumerate(types):
        if cls in ("L", "R", "AL"):
            strong = cls
        elif cls == "EN" and strong == "AL":
            types[i] = "AN"
    types[:] = ["R" if cls == "AL" else cls for cls in types]
    # W4: one separator between two numbers of the same kind joins them.
    for i in range(1, len(types) - 1):
        before, cls, after = types[i - 1], types[i], types[i + 1]
        if cls == "ES" and before == after == "EN":
            types[i] = "EN"
        elif cls == "CS" and before == after and before in ("EN", "AN"):
            types[i] = before
    # W5: terminators (%, $, #) next to European numbers become numbers.
    i = 0
    while i < len(types):
        if types[i] != "ET":
            i += 1
            continue
        end = i
        while end < len(types) and types[end] == "ET":
            end += 1
        if (i and types[i - 1] == "EN") or (end < len(types) and types[end] == "EN"):
            types[i:end] = ["EN"] * (end - i)
        i = end
    # W6: the remaining separators and terminators are neutral.
    types[:] = ["ON" if cls in ("ES", "ET", "CS") else cls for cls in types]
    # W7: European numbers after left-to-right text are left-to-right.
    strong = sos
    for i, cls in enumerate(types):
        if cls in ("L", "R"):
            strong = cls
        elif cls == "EN" and strong == "L":
            types[i] = "L"
    return types


def _neutrals(types: list[str], base: int) -> list[str]:
    """N1-N2: neutrals between two runs of one direction take it; others the paragraph's."""
    edge = "R" if base else "L"

    def direction(cls: str) -> str:
        return "R" if cls in ("R", "EN", "AN") else "L"

    i = 0
    while i < len(types):
        if types[i] not in _NEUTRAL:
            i += 1
            continue
        end = i
        while end < len(types) and types[end] in _NEUTRAL:
            end += 1
        before = direction(types[i - 1]) if i else edge
        after = direction(types[end]) if end < len(types) else edge
        types[i:end] = [before if before == after else edge] * (end - i)
        i = end
    return types


def levels(text: str, base: int | None = None) -> list[int]:
    """The resolved embedding level of every character of one line of ``text``."""
    if base is None:
        base = base_level(text)
    types = _neutrals(_weak(_classes(text), base), base)
    resolved = []
    for cls in types:
        if base == 0:
            resolved.append(0 if cls == "L" else 1 if cls == "R" else 2)
        else:
            resolved.append(1 if cls == "R" else 2)
    return resolved


def visual_order(items: Sequence[T], item_levels: Sequence[int]) -> list[T]:
    """Rule L2: from the highest level down to the lowest odd one, reverse every stretch at that
    level or above. Items are runs (or characters); the caller draws odd-level runs right to left.
    """
    order = list(range(len(items)))
    if not items:
        return []
    highest = max(item_levels)
    lowest_odd = min((lv for lv in item_levels if lv % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if item_levels[order[i]] < level:
                i += 1
                continue
            end = i
            while end < len(order) and item_levels[order[end]] >= level:
                end += 1
            order[i:end] = reversed(order[i:end])
            i = end
    return [items[k] for k in order]
