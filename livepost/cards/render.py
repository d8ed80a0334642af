"""Draw cards from layout specs: the talk announcement, a quote, what is on next, the wrap-up.

Everything visual comes from ``templates/cards/<kind>.toml`` (boxes, fonts, sizes, colours by
theme name); this module only knows how to draw each element type. The output is PNG or JPEG,
whichever is smaller, never over 976 KiB, and always carries alt text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from livepost.cards.alt import card_alt
from livepost.cards.coverage import MissingGlyphs
from livepost.cards.data import (
    CardEvent,
    card_fields,
    default_stats,
    stat_items,
    talk_fields,
    tidy,
)
from livepost.cards.encode import MAX_IMAGE_BYTES, encode_smallest
from livepost.cards.fonts import FontChain, with_fontconfig
from livepost.cards.images import load_image
from livepost.cards.layout import TextBlock, fit_text
from livepost.cards.resources import card_template_dirs, font_dirs, resolve_font
from livepost.cards.spec import (
    CARD_KINDS,
    Box,
    CardSpec,
    ListElement,
    LogoElement,
    RectElement,
    StatsElement,
    TextElement,
    TextStyle,
    check_spec_colors,
    load_spec,
)
from livepost.cards.system_fonts import debian_fallbacks
from livepost.cards.themes import Theme, get_theme
from livepost.errors import ConfigError, UsageError
from livepost.model import Talk

DEFAULT_SIZE = (1200, 675)
MIN_SIDE, MAX_CARD_SIDE = 200, 4000


class CardError(UsageError):
    """A card cannot be made from what was asked (a quote card without a quote...)."""


@dataclass(frozen=True)
class Card:
    """A finished card: encoded bytes, mime type, pixel size and alt text."""

    kind: str
    data: bytes
    mime: str
    width: int
    height: int
    alt: str
    missing: tuple[MissingGlyphs, ...] = ()

    @property
    def extension(self) -> str:
        """``.png`` or ``.jpg``, to name the file."""
        return ".png" if self.mime == "image/png" else ".jpg"

    @property
    def aspect_ratio(self) -> dict[str, int]:
        """``{"width": w, "height": h}`` for the embed's ``aspectRatio``."""
        return {"width": self.width, "height": self.height}


@dataclass(frozen=True)
class Placement:
    """Where an element's text landed: its box and the ink it drew (for checks and tests)."""

    element: str
    box: tuple[float, float, float, float]  # left, top, right, bottom
    block: TextBlock
    chain: FontChain
    origins: tuple[tuple[float, float], ...]  # (left, baseline) of each line

    @property
    def ink(self) -> tuple[float, float, float, float]:
        """Left, top, right, bottom of what was drawn (measured on demand: it costs time)."""
        boxes = [
            self.chain.bbox(x, baseline, line, self.block.size)
            for (x, baseline), line in zip(self.origins, self.block.lines, strict=True)
        ]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )


@dataclass
class DrawnCard:
    """A card before encoding: the picture, where every text went, the alt text, and the text
    left out for want of a font."""

    image: Image.Image
    alt: str
    placements: list[Placement] = field(default_factory=list)
    missing: list[MissingGlyphs] = field(default_factory=list)


@dataclass
class _Ctx:
    image: Image.Image
    draw: ImageDraw.ImageDraw
    theme: Theme
    regular: FontChain
    bold: FontChain
    sx: float
    sy: float
    placements: list[Placement]
    missing: list[MissingGlyphs] = field(default_factory=list)

    def box(self, box: Box) -> tuple[float, float, float, float]:
        x, y, w, h = box
        return (x * self.sx, y * self.sy, w * self.sx, h * self.sy)

    @property
    def scale(self) -> float:
        """For the smallest sizes and radii: the tighter of the two directions."""
        return min(self.sx, self.sy)

    @property
    def grow(self) -> float:
        """For the largest text sizes: the card's area change (a square card gets bigger text;
        auto-fit still shrinks whatever does not fit)."""
        return float((self.sx * self.sy) ** 0.5)

    def chain(self, style: TextStyle, text: str = "") -> FontChain:
        """The style's chain, plus fontconfig fonts for characters of ``text`` it lacks."""
        chain = self.bold if style.font == "bold" else self.regular
        return _extended(chain, text) if text else chain


@lru_cache(maxsize=256)
def _extended(chain: FontChain, text: str) -> FontChain:
    return with_fontconfig(chain, text) if chain.missing(text) else chain


@lru_cache(maxsize=32)
def _chains(
    fonts: tuple[tuple[str, ...], tuple[str, ...]], dirs: tuple[Path, ...], path: Path
) -> tuple[FontChain, FontChain]:
    regular, bold = (
        FontChain(
            tuple(resolve_font(n, list(dirs), path, f"fonts.{w}.{i}") for i, n in enumerate(names)),
            debian_fallbacks(w == "bold"),
        )
        for w, names in (("regular", fonts[0]), ("bold", fonts[1]))
    )
    return regular, bold


def _text(
    ctx: _Ctx,
    where: str,
    style: TextStyle,
    value: str,
    box: tuple[float, float, float, float],
    cap: int | None = None,
) -> TextBlock | None:
    """Fit ``value`` into ``box`` (already scaled) and draw it; returns the block drawn.

    ``cap`` limits the size in pixels, so that siblings (numbers, list rows) share one size.
    """
    if style.uppercase:
        value = value.upper()
    chain = ctx.chain(style, value)
    missing = chain.missing(value)
    if missing:
        # Never boxes, never half a name: the card is drawn without this text, and says so.
        ctx.missing.append(MissingGlyphs(where, value, missing))
        return None
    block = _fit(ctx, style, value, box, cap)
    if not block.lines:
        return None
    return _place(ctx, where, style, block, box, chain)


def _fit(
    ctx: _Ctx,
    style: TextStyle,
    value: str,
    box: tuple[float, float, float, float],
    cap: int | None = None,
) -> TextBlock:
    if style.uppercase:
        value = value.upper()
    chain = ctx.chain(style, value)
    if chain.missing(value):
        value = ""
    _x, _y, w, h = box
    max_size = max(1, round(style.size * ctx.grow))
    if cap is not None:
        max_size = min(max_size, cap)
    min_size = max(1, round((style.min_size or style.size * 0.5) * ctx.scale))
    return fit_text(
        value,
        chain,
        w,
        h,
        max_size=max_size,
        min_size=min_size,
        line_height=style.line_height,
        max_lines=style.max_lines,
    )


def _place(
    ctx: _Ctx,
    where: str,
    style: TextStyle,
    block: TextBlock,
    box: tuple[float, float, float, float],
    chain: FontChain,
) -> TextBlock:
    """Draw a fitted block in its box, aligned as the style says."""
    x, y, w, h = box
    if style.valign == "middle":
        top = y + (h - block.height) / 2
    elif style.valign == "bottom":
        top = y + h - block.height
    else:
        top = y
    color = ctx.theme.color(style.color)
    origins: list[tuple[float, float]] = []
    for i, line in enumerate(block.lines):
        baseline = round(top + block.ascent + i * block.pitch)
        width = chain.length(line, block.size)
        if style.align == "center":
            left = x + (w - width) / 2
        elif style.align == "right":
            left = x + w - width
        else:
            left = x
        chain.draw(ctx.image, left, baseline, line, block.size, color)
        origins.append((left, baseline))
    ctx.placements.append(Placement(where, (x, y, x + w, y + h), block, chain, tuple(origins)))
    return block


def _fill(template: str, values: Mapping[str, str]) -> str:
    return tidy(template.format_map(values))


@lru_cache(maxsize=8)
def _logo(path: Path, mtime_ns: int, width: int, height: int) -> Image.Image:
    image, _fmt = load_image(path)
    image = image.convert("RGBA")
    image.thumbnail((width, height), Image.Resampling.LANCZOS)
    return image


def _draw_logo(ctx: _Ctx, where: str, el: LogoElement, logo: Path, image: Image.Image) -> None:
    x, y, w, h = ctx.box(el.box)
    picture = _logo(logo, logo.stat().st_mtime_ns, int(w), int(h))
    left = {"left": x, "center": x + (w - picture.width) / 2, "right": x + w - picture.width}
    top = {"top": y, "middle": y + (h - picture.height) / 2, "bottom": y + h - picture.height}
    image.paste(picture, (round(left[el.align]), round(top[el.valign])), picture)


def _shared_size(
    ctx: _Ctx, style: TextStyle, values: list[str], boxes: list[tuple[float, float, float, float]]
) -> int:
    """The size every sibling fits at, so a column of times or numbers looks like one set."""
    sizes = [_fit(ctx, style, v, box).size for v, box in zip(values, boxes, strict=True) if v]
    return min(sizes, default=max(1, round(style.size * ctx.grow)))


def _draw_list(
    ctx: _Ctx, where: str, el: ListElement, talks: Sequence[Talk], zone: ZoneInfo
) -> None:
    rows = [talk_fields(t, zone) for t in list(talks)[: el.max_items]]
    x, y, w, h = ctx.box(el.box)
    gap = el.gap * ctx.sy
    row_h = (h - gap * (el.max_items - 1)) / el.max_items  # fewer talks: same rows, top first
    time_w = el.time_width * ctx.sx
    body_x, body_w = x + time_w, w - time_w
    tops = [y + i * (row_h + gap) for i in range(len(rows))]
    title_h = row_h * el.title_share
    times = [_fill(el.time.text, values) for values in rows]
    titles = [_fill(el.title.text, values) for values in rows]
    time_boxes = [(x, top, time_w - 16 * ctx.sx, title_h) for top in tops]
    title_boxes = [(body_x, top, body_w, title_h) for top in tops]
    time_cap = _shared_size(ctx, el.time, times, time_boxes)
    title_cap = _shared_size(ctx, el.title, titles, title_boxes)
    for i, values in enumerate(rows):
        _text(ctx, f"{where}.{i}.time", el.time, times[i], time_boxes[i], time_cap)
        block = _text(ctx, f"{where}.{i}.title", el.title, titles[i], title_boxes[i], title_cap)
        # The detail line follows the title's last line, not the bottom of its box.
        used = block.height + block.size * 0.2 if block else 0.0
        detail_box = (body_x, tops[i] + used, body_w, row_h - used)
        _text(ctx, f"{where}.{i}.detail", el.detail, _fill(el.detail.text, values), detail_box)


def _draw_stats(ctx: _Ctx, where: str, el: StatsElement, items: list[tuple[str, str]]) -> None:
    items = items[: el.max_items]
    if not items:
        return
    x, y, w, h = ctx.box(el.box)
    gap = el.gap * ctx.sx
    col_w = (w - gap * (len(items) - 1)) / len(items)
    number_h = h * el.number_share
    lefts = [x + i * (col_w + gap) for i in range(len(items))]
    values = [{"number": number, "label": label} for number, label in items]
    numbers = [_fill(el.number.text, v) for v in values]
    labels = [_fill(el.label.text, v) for v in values]
    number_boxes = [(left, y, col_w, number_h) for left in lefts]
    label_boxes = [(left, y + number_h, col_w, h - number_h) for left in lefts]
    number_cap = _shared_size(ctx, el.number, numbers, number_boxes)
    label_cap = _shared_size(ctx, el.label, labels, label_boxes)
    for i in range(len(items)):
        _text(ctx, f"{where}.{i}.number", el.number, numbers[i], number_boxes[i], number_cap)
        _text(ctx, f"{where}.{i}.label", el.label, labels[i], label_boxes[i], label_cap)


def _check_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    if not (MIN_SIDE <= width <= MAX_CARD_SIDE and MIN_SIDE <= height <= MAX_CARD_SIDE):
        raise ConfigError(
            f"card size {width}x{height} is out of range",
            hint=f"Use a width and height between {MIN_SIDE} and {MAX_CARD_SIDE} pixels, "
            "e.g. 1200x675.",
        )
    return width, height


def draw_card(
    kind: str,
    *,
    event: CardEvent,
    talk: Talk | None = None,
    talks: Sequence[Talk] = (),
    text: str | None = None,
    stats: Mapping[str, int | str] | None = None,
    heading: str | None = None,
    theme: str = "default",
    size: tuple[int, int] = DEFAULT_SIZE,
    template_dirs: Sequence[Path] = (),
    asset_dirs: Sequence[Path] = (),
    alt: str | None = None,
) -> DrawnCard:
    """Draw a card (not yet encoded); :func:`render_card` documents the arguments."""
    if kind not in CARD_KINDS:
        raise CardError(f"unknown card kind {kind!r}", hint=f"Use one of: {', '.join(CARD_KINDS)}.")
    if kind in ("talk", "quote") and talk is None:
        raise CardError(f"a {kind} card needs a talk")
    if kind == "quote" and not (text and text.strip()):
        raise CardError("a quote card needs the quote", hint='Pass the quote with --text "...".')
    if kind == "next" and not talks:
        raise CardError("an up-next card needs at least one talk")
    width, height = _check_size(size)
    card_dirs = card_template_dirs(template_dirs)
    chosen = get_theme(theme, card_dirs)
    spec, path = load_spec(kind, card_dirs, (width, height))
    check_spec_colors(spec, path, chosen)
    regular, bold = _chains(
        (tuple(spec.fonts.regular), tuple(spec.fonts.bold)), tuple(font_dirs(asset_dirs)), path
    )
    if kind == "wrapup" and stats is None:
        stats = default_stats(talks)
    image = Image.new("RGB", (width, height), chosen.color(spec.canvas.background))
    ctx = _Ctx(
        image,
        ImageDraw.Draw(image),
        chosen,
        regular,
        bold,
        width / spec.canvas.width,
        height / spec.canvas.height,
        [],
    )
    values = card_fields(kind, event, talk, talks, text, heading)
    _draw_elements(ctx, spec, values, event, talks, stats or {}, image)
    description = (
        alt
        if alt is not None and alt.strip()
        else card_alt(
            kind, event=event, talk=talk, talks=talks, text=text, stats=stats, heading=heading
        )
    )
    return DrawnCard(image, description, ctx.placements, ctx.missing)


def _draw_elements(
    ctx: _Ctx,
    spec: CardSpec,
    values: dict[str, str],
    event: CardEvent,
    talks: Sequence[Talk],
    stats: Mapping[str, int | str],
    image: Image.Image,
) -> None:
    for i, el in enumerate(spec.element):
        where = f"element.{i}"
        if isinstance(el, RectElement):
            x, y, w, h = ctx.box(el.box)
            shape = (round(x), round(y), round(x + w) - 1, round(y + h) - 1)
            fill = ctx.theme.color(el.fill)
            if el.radius:
                ctx.draw.rounded_rectangle(shape, radius=round(el.radius * ctx.scale), fill=fill)
            else:
                ctx.draw.rectangle(shape, fill=fill)
        elif isinstance(el, LogoElement) and event.logo is not None:
            _draw_logo(ctx, where, el, event.logo, image)
        elif isinstance(el, TextElement | LogoElement):
            _text(ctx, where, el, _fill(el.text, values), ctx.box(el.box))
        elif isinstance(el, ListElement):
            _draw_list(ctx, where, el, talks, event.zone())
        elif isinstance(el, StatsElement):
            _draw_stats(ctx, where, el, stat_items(stats))


def render_card(
    kind: str,
    *,
    event: CardEvent,
    talk: Talk | None = None,
    talks: Sequence[Talk] = (),
    text: str | None = None,
    stats: Mapping[str, int | str] | None = None,
    heading: str | None = None,
    theme: str = "default",
    size: tuple[int, int] = DEFAULT_SIZE,
    template_dirs: Sequence[Path] = (),
    asset_dirs: Sequence[Path] = (),
    alt: str | None = None,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> Card:
    """Draw and encode a card.

    ``kind``: ``talk`` (needs ``talk``), ``quote`` (``talk`` and the quote as ``text``), ``next``
    (``talks``: the next two or three, in order), ``wrapup`` (``stats`` as label -> number, in
    display order; counted from ``talks`` when omitted). ``heading`` overrides "Up next in Room 2"
    / "<event> in numbers". ``template_dirs`` and ``asset_dirs`` are the event's ``templates/``
    and ``assets/`` folders, searched before the built-in ones. ``alt`` overrides the generated
    alt text. The result is PNG or JPEG, whichever is smaller, at most ``max_bytes``.
    """
    drawn = draw_card(
        kind,
        event=event,
        talk=talk,
        talks=talks,
        text=text,
        stats=stats,
        heading=heading,
        theme=theme,
        size=size,
        template_dirs=template_dirs,
        asset_dirs=asset_dirs,
        alt=alt,
    )
    data, mime, encoded = encode_smallest(drawn.image, max_bytes=max_bytes)
    return Card(kind, data, mime, encoded.width, encoded.height, drawn.alt, tuple(drawn.missing))
