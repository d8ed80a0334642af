"""Fonts for cards: a chain of font faces, each character drawn by the first face that has it.

Pillow draws a missing glyph as a box ("tofu"), so we never hand it a character the chosen font
lacks: text is split into runs, each run drawn with the first face in the chain whose character
map covers it. The chain is the layout's fonts (shipped: Noto Sans, DejaVu Sans) followed by the
Debian Noto fonts installed on the machine (:mod:`livepost.cards.system_fonts`: Arabic, Hebrew,
CJK, Indic, Thai, colour emoji). Text is shaped by Raqm (HarfBuzz + FriBiDi): Arabic joins,
Devanagari conjuncts form, and runs are put in visual order by :mod:`livepost.cards.bidi`.
A character no face covers is never drawn: :meth:`FontChain.missing` names it so the card can
leave that text out and the commands can say which font package to install.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import regex
from PIL import Image, ImageDraw, ImageFont, features

from livepost.cards.bidi import base_level, levels, visual_order
from livepost.cards.coverage import (
    INVISIBLE,
    clean_text,
    covering_face,
    font_coverage,
    fontconfig_extras,
    missing_chars,
)
from livepost.cards.system_fonts import EMOJI_BITMAP_SIZE, Face, debian_fallbacks

#: Pillow's Raqm layout (shaping, bidi) loads: Pillow's wheels bundle libraqm, which needs the
#: system's libfribidi. Without it text is drawn unshaped, and ``doctor`` says so.
HAVE_RAQM = bool(features.check_feature("raqm"))


@lru_cache(maxsize=256)
def _font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    # Raqm layout: shaping (Arabic joining, Indic conjuncts, emoji sequences) and kerning.
    if face.color:
        size = EMOJI_BITMAP_SIZE  # a bitmap font has one size; the run is scaled when drawn
    return ImageFont.truetype(
        str(face.path), size, index=face.index, layout_engine=ImageFont.Layout.RAQM
    )


@dataclass(frozen=True)
class Run:
    """Consecutive text drawn with one face at one bidi level (odd: right to left)."""

    face: int
    text: str
    level: int = 0

    @property
    def direction(self) -> str | None:
        """Raqm's direction for this run; ``None`` (left to right) where Pillow has no Raqm,
        which refuses any direction."""
        if not HAVE_RAQM:
            return None
        return "rtl" if self.level % 2 else "ltr"


@dataclass(frozen=True)
class FontChain:
    """Font files in order of preference (the first is the main font), then machine fallbacks."""

    paths: tuple[Path, ...]
    fallbacks: tuple[Face, ...] = ()
    #: every face of the chain, in the order they are tried (computed once: lookups are hot)
    faces: tuple[Face, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.paths:
            raise ValueError("a font chain needs at least one font")
        for path in self.paths:
            font_coverage(path)  # fail early, naming the file
        object.__setattr__(self, "faces", tuple(Face(p) for p in self.paths) + self.fallbacks)

    def font(self, size: int, index: int = 0) -> ImageFont.FreeTypeFont:
        """The chain's ``index``-th face at ``size`` pixels (a colour face at its bitmap size)."""
        return _font(self.faces[index], size)

    def clean(self, text: str) -> str:
        """NFC-normalise, drop bidi controls, collapse spaces; keep newlines as breaks."""
        return clean_text(text)

    def missing(self, text: str) -> tuple[str, ...]:
        """The characters of ``text`` no face of the chain covers, in order, once each."""
        return missing_chars(self.faces, clean_text(text))

    def runs(self, text: str) -> tuple[Run, ...]:
        """Split one cleaned line into runs, in logical order."""
        return _runs(self, text)

    def length(self, text: str, size: int) -> float:
        """Advance width of ``text`` at ``size``, summed over the runs."""
        return _length(self, text, size)

    def metrics(self, size: int) -> tuple[int, int]:
        """(ascent, descent) of the main font at ``size``: every line box uses these."""
        ascent, descent = self.font(size).getmetrics()
        return ascent, descent

    def _run_length(self, run: Run, size: int) -> float:
        return _run_length(self, run, size)

    def draw(
        self,
        image: Image.Image,
        x: float,
        baseline: float,
        text: str,
        size: int,
        fill: tuple[int, int, int],
    ) -> None:
        """Draw one line of ``text`` with its left end at ``x`` on ``baseline``."""
        draw = ImageDraw.Draw(image)
        for run in _visual(self, text):
            face = self.faces[run.face]
            font = self.font(size, run.face)
            if face.color:
                _draw_color(image, font, x, baseline, run, size)
            else:
                draw.text(
                    (x, baseline),
                    run.text,
                    font=font,
                    fill=fill,
                    anchor="ls",
                    direction=run.direction,
                )
            x += self._run_length(run, size)

    def bbox(self, x: float, baseline: float, text: str, size: int) -> tuple[float, ...]:
        """Ink bounding box (left, top, right, bottom) of what :meth:`draw` would paint."""
        left = top = float("inf")
        right = bottom = float("-inf")
        for run in _visual(self, text):
            font = self.font(size, run.face)
            x0, y0, x1, y1 = font.getbbox(run.text, anchor="ls", direction=run.direction)
            if self.faces[run.face].color:
                scale = size / EMOJI_BITMAP_SIZE
                x0, y0, x1, y1 = x0 * scale, y0 * scale, x1 * scale, y1 * scale
            left, top = min(left, x + x0), min(top, baseline + y0)
            right, bottom = max(right, x + x1), max(bottom, baseline + y1)
            x += self._run_length(run, size)
        return (left, top, right, bottom)


def _draw_color(
    image: Image.Image,
    font: ImageFont.FreeTypeFont,
    x: float,
    baseline: float,
    run: Run,
    size: int,
) -> None:
    """Colour emoji: drawn at the font's bitmap size, scaled to ``size``, pasted with alpha."""
    ascent, descent = font.getmetrics()
    width = max(1, round(font.getlength(run.text)))
    layer = Image.new("RGBA", (width, ascent + descent), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((0, ascent), run.text, font=font, anchor="ls", embedded_color=True)
    scale = size / EMOJI_BITMAP_SIZE
    scaled = layer.resize(
        (max(1, round(layer.width * scale)), max(1, round(layer.height * scale))),
        Image.Resampling.LANCZOS,
    )
    image.paste(scaled, (round(x), round(baseline - ascent * scale)), scaled)


@lru_cache(maxsize=2048)
def _runs(chain: FontChain, text: str) -> tuple[Run, ...]:
    char_levels = levels(text, base_level(text))
    runs: list[Run] = []
    position = 0
    for cluster in regex.findall(r"\X", text):
        level = char_levels[position]
        position += len(cluster)
        if cluster.isspace() or not INVISIBLE.sub("", cluster):
            # Spaces join the run before them, except a colour run (its space is a bitmap's width).
            previous = runs[-1].face if runs else 0
            index: int | None = 0 if chain.faces[previous].color else previous
        else:
            index = covering_face(chain.faces, cluster)
        if index is None:
            continue  # never drawn: the card leaves out text with missing characters
        if runs and runs[-1].face == index and runs[-1].level == level:
            runs[-1] = Run(index, runs[-1].text + cluster, level)
        else:
            runs.append(Run(index, cluster, level))
    return tuple(runs)


@lru_cache(maxsize=2048)
def _visual(chain: FontChain, text: str) -> tuple[Run, ...]:
    runs = _runs(chain, text)
    return tuple(visual_order(runs, [r.level for r in runs]))


@lru_cache(maxsize=8192)
def _run_length(chain: FontChain, run: Run, size: int) -> float:
    font = chain.font(size, run.face)
    length = font.getlength(run.text, direction=run.direction)
    if chain.faces[run.face].color:
        length *= size / EMOJI_BITMAP_SIZE
    return float(length)


@lru_cache(maxsize=4096)
def _length(chain: FontChain, text: str, size: int) -> float:
    return sum(chain._run_length(run, size) for run in chain.runs(text))


def chain_from(paths: Sequence[Path], *, system: bool = False, bold: bool = False) -> FontChain:
    """A :class:`FontChain` from paths (resolved); ``system`` adds the machine's fallbacks."""
    return FontChain(
        tuple(Path(p).resolve() for p in paths), debian_fallbacks(bold) if system else ()
    )


def with_fontconfig(chain: FontChain, text: str) -> FontChain:
    """``chain`` plus a fontconfig font for each character of ``text`` it still misses."""
    extra = fontconfig_extras(chain.faces, text)
    return FontChain(chain.paths, chain.fallbacks + extra) if extra else chain
