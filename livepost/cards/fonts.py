"""Fonts for cards: a chain of font files, each glyph drawn by the first font that has it.

Pillow draws a missing glyph as a box ("tofu"), so we never hand it a character the chosen font
lacks: text is split into runs, each run drawn with the first font in the chain whose character
map covers it. Emoji are removed cleanly (we ship no colour emoji font; a 10 MB bitmap font is not
worth it), as is anything no font in the chain covers.
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex
from PIL import ImageDraw, ImageFont

from livepost.errors import InputError

# A grapheme cluster meant as an emoji: emoji presentation characters, the emoji variation
# selector, keycaps, skin tones, flags (regional indicators, tag sequences) and ZWJ sequences.
_EMOJI_CLUSTER = regex.compile(
    r"[\p{Emoji_Presentation}\uFE0F\u20E3\p{Emoji_Modifier}\U000E0020-\U000E007F]"
    r"|\p{Extended_Pictographic}\u200D"
)
# Characters that draw nothing and must not count against coverage (ZWJ, variation selectors).
_INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}]")
_SPACES = regex.compile(r"[^\S\n]+")


def _read_cmap(path: Path) -> frozenset[int]:
    """Return the code points a TrueType/OpenType font maps (cmap formats 4 and 12)."""
    data = path.read_bytes()
    if data[:4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
        raise ValueError("not a TrueType or OpenType font")
    (num_tables,) = struct.unpack_from(">H", data, 4)
    cmap_offset = None
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if tag == b"cmap":
            cmap_offset = offset
    if cmap_offset is None:
        raise ValueError("the font has no character map")
    _version, num_subtables = struct.unpack_from(">HH", data, cmap_offset)
    subtables: dict[int, int] = {}
    for i in range(num_subtables):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap_offset + 4 + 8 * i)
        if (platform, encoding) in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 1), (0, 0)):
            sub = cmap_offset + offset
            (fmt,) = struct.unpack_from(">H", data, sub)
            subtables.setdefault(fmt, sub)
    points: set[int] = set()
    if 12 in subtables:
        sub = subtables[12]
        (n_groups,) = struct.unpack_from(">I", data, sub + 12)
        for g in range(n_groups):
            start, end, glyph = struct.unpack_from(">III", data, sub + 16 + 12 * g)
            if glyph or start != end:
                points.update(range(start, end + 1))
    elif 4 in subtables:
        sub = subtables[4]
        (seg_x2,) = struct.unpack_from(">H", data, sub + 6)
        ends = struct.unpack_from(f">{seg_x2 // 2}H", data, sub + 14)
        starts = struct.unpack_from(f">{seg_x2 // 2}H", data, sub + 16 + seg_x2)
        for start, end in zip(starts, ends, strict=True):
            if start != 0xFFFF:
                points.update(range(start, end + 1))
    else:
        raise ValueError("the font has no Unicode character map")
    return frozenset(points)


@lru_cache(maxsize=32)
def font_coverage(path: Path) -> frozenset[int]:
    """The code points ``path`` can draw; an unreadable font is an input error naming the file."""
    try:
        return _read_cmap(path)
    except (OSError, ValueError, struct.error) as exc:
        raise InputError(
            path, f"cannot read this font ({exc})", hint="Use a .ttf or .otf font file."
        ) from exc


@lru_cache(maxsize=256)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout: deterministic across machines (golden images) and fast; none of the scripts
    # our fonts cover needs shaping.
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def strip_emoji(text: str) -> str:
    """Remove emoji grapheme clusters and collapse the spaces they leave behind."""
    kept = [c for c in regex.findall(r"\X", text) if not _EMOJI_CLUSTER.search(c)]
    return _SPACES.sub(" ", "".join(kept))


@dataclass(frozen=True)
class FontChain:
    """Font files in order of preference; the first is the main font, the rest fallbacks."""

    paths: tuple[Path, ...]

    def __post_init__(self) -> None:
        if not self.paths:
            raise ValueError("a font chain needs at least one font")
        for path in self.paths:
            font_coverage(path)  # fail early, naming the file

    def font(self, size: int, index: int = 0) -> ImageFont.FreeTypeFont:
        """The chain's ``index``-th font at ``size`` pixels."""
        return _font(self.paths[index], size)

    def clean(self, text: str) -> str:
        """NFC-normalise, drop emoji and anything no font covers; keep newlines as breaks."""
        return _clean(self, text)

    def runs(self, text: str) -> tuple[tuple[int, str], ...]:
        """Split cleaned ``text`` into (font index, text) runs."""
        return _runs(self, text)

    def length(self, text: str, size: int) -> float:
        """Advance width of ``text`` at ``size``, summed over the runs."""
        return _length(self, text, size)

    def metrics(self, size: int) -> tuple[int, int]:
        """(ascent, descent) of the main font at ``size``: every line box uses these."""
        ascent, descent = self.font(size).getmetrics()
        return ascent, descent

    def draw(
        self,
        draw: ImageDraw.ImageDraw,
        x: float,
        baseline: float,
        text: str,
        size: int,
        fill: tuple[int, int, int],
    ) -> None:
        """Draw ``text`` with its left end at ``x`` on ``baseline``."""
        for index, run in self.runs(text):
            font = self.font(size, index)
            draw.text((x, baseline), run, font=font, fill=fill, anchor="ls")
            x += font.getlength(run)

    def bbox(self, x: float, baseline: float, text: str, size: int) -> tuple[float, ...]:
        """Ink bounding box (left, top, right, bottom) of what :meth:`draw` would paint."""
        left = top = float("inf")
        right = bottom = float("-inf")
        for index, run in self.runs(text):
            font = self.font(size, index)
            x0, y0, x1, y1 = font.getbbox(run, anchor="ls")
            left, top = min(left, x + x0), min(top, baseline + y0)
            right, bottom = max(right, x + x1), max(bottom, baseline + y1)
            x += font.getlength(run)
        return (left, top, right, bottom)


def _covering_font(chain: FontChain, cluster: str) -> int | None:
    points = [ord(c) for c in _INVISIBLE.sub("", cluster)]
    if not points:
        return None
    for index, path in enumerate(chain.paths):
        coverage = font_coverage(path)
        if all(p in coverage for p in points):
            return index
    return None


@lru_cache(maxsize=1024)
def _clean(chain: FontChain, text: str) -> str:
    text = strip_emoji(unicodedata.normalize("NFC", text))
    kept = []
    for cluster in regex.findall(r"\X", text):
        if cluster == "\n" or cluster.isspace():
            kept.append("\n" if "\n" in cluster else " ")
        elif _covering_font(chain, cluster) is not None:
            kept.append(_INVISIBLE.sub("", cluster))
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(kept).split("\n"))
    return "\n".join(lines).strip("\n")


@lru_cache(maxsize=2048)
def _runs(chain: FontChain, text: str) -> tuple[tuple[int, str], ...]:
    runs: list[tuple[int, str]] = []
    for cluster in regex.findall(r"\X", text):
        if cluster.isspace():
            index: int | None = runs[-1][0] if runs else 0
        else:
            index = _covering_font(chain, cluster)
        if index is None:
            continue
        if runs and runs[-1][0] == index:
            runs[-1] = (index, runs[-1][1] + cluster)
        else:
            runs.append((index, cluster))
    return tuple(runs)


@lru_cache(maxsize=4096)
def _length(chain: FontChain, text: str, size: int) -> float:
    return sum(chain.font(size, index).getlength(run) for index, run in chain.runs(text))


def chain_from(paths: Sequence[Path]) -> FontChain:
    """A :class:`FontChain` from paths (resolved), for callers that hold a list."""
    return FontChain(tuple(Path(p).resolve() for p in paths))
