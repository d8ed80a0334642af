"""Card layouts as data: one TOML file per card kind that organisers copy and edit.

``templates/cards/<kind>.toml`` lists the elements of a card (panels, text boxes, the logo, the
list of next talks, the numbers of a wrap-up) with their boxes, fonts, sizes and colours, in pixels
of a design canvas (1200x675 by default). Rendering at another size scales every box; the text
auto-fits the scaled box. The event's ``templates/cards/`` is searched first, the built-in folder
second, so a copied file replaces ours. See docs/cards.md.
"""

from __future__ import annotations

import string
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from livepost.cards.themes import MIN_CONTRAST, Theme, contrast_ratio
from livepost.errors import InputError

CardKind = Literal["talk", "quote", "next", "wrapup"]
CARD_KINDS: tuple[CardKind, ...] = ("talk", "quote", "next", "wrapup")

# Fields a text element may name as {field}. Missing values are empty strings.
CARD_FIELDS = (
    "event",
    "hashtag",
    "date",
    "heading",
    "title",
    "speakers",
    "speaker_names",
    "time",
    "start",
    "end",
    "room",
    "when",
    "track",
    "quote",
)
ITEM_FIELDS = ("title", "speakers", "speaker_names", "time", "start", "end", "room", "when")
STAT_FIELDS = ("number", "label")

Box = tuple[float, float, float, float]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Canvas(_Model):
    """The design canvas the boxes are measured on."""

    width: int = Field(default=1200, gt=0)
    height: int = Field(default=675, gt=0)
    background: str = "background"


class Fonts(_Model):
    """Font chains by weight: file names in ``assets/fonts/`` (event first) or absolute paths."""

    regular: list[str] = Field(default=["NotoSans-Regular.ttf", "DejaVuSans.ttf"], min_length=1)
    bold: list[str] = Field(default=["NotoSans-Bold.ttf", "DejaVuSans.ttf"], min_length=1)


class TextStyle(_Model):
    """How a piece of text is drawn and fitted."""

    text: str = ""
    font: Literal["regular", "bold"] = "regular"
    size: int = Field(gt=0)  # the largest size; text shrinks from here to fit
    min_size: int | None = Field(
        default=None, gt=0
    )  # below this, only a too-long word shrinks further
    color: str = "text"
    on: str = "background"  # what the text is drawn on, for the contrast check
    align: Literal["left", "center", "right"] = "left"
    valign: Literal["top", "middle", "bottom"] = "top"
    line_height: float = Field(default=1.2, ge=0.8, le=3.0)
    max_lines: int | None = Field(default=None, gt=0)
    uppercase: bool = False


class RectElement(_Model):
    """A filled (optionally rounded) rectangle: the card's panels and accent bars."""

    type: Literal["rect"]
    box: Box
    fill: str
    radius: int = Field(default=0, ge=0)


class TextElement(TextStyle):
    """Text from a template such as ``"{title}"``, wrapped and auto-fitted into ``box``."""

    type: Literal["text"]
    box: Box


class LogoElement(TextStyle):
    """The event logo fitted into ``box``; without a logo, ``text`` (the event name) instead."""

    type: Literal["logo"]
    box: Box
    text: str = "{event}"
    size: int = Field(default=32, gt=0)


class ListElement(_Model):
    """Rows of talks (the "up next" card): a time column, then title and detail lines."""

    type: Literal["list"]
    box: Box
    max_items: int = Field(default=3, ge=1, le=6)
    gap: float = Field(default=24, ge=0)  # between rows
    time_width: float = Field(default=180, gt=0)  # the time column
    time: TextStyle = TextStyle(text="{start}", font="bold", size=40, color="accent")
    title: TextStyle = TextStyle(text="{title}", font="bold", size=40, max_lines=2)
    detail: TextStyle = TextStyle(text="{speaker_names}", size=26, color="muted", max_lines=1)
    title_share: float = Field(default=0.68, gt=0.1, lt=1.0)  # part of a row's height for the title


class StatsElement(_Model):
    """Big numbers with labels in columns (the wrap-up card)."""

    type: Literal["stats"]
    box: Box
    max_items: int = Field(default=4, ge=1, le=8)
    gap: float = Field(default=24, ge=0)  # between columns
    number: TextStyle = TextStyle(text="{number}", font="bold", size=110, color="accent")
    label: TextStyle = TextStyle(text="{label}", size=30, color="muted", max_lines=2)
    number_share: float = Field(default=0.6, gt=0.1, lt=1.0)  # part of the height for the number


Element = Annotated[
    RectElement | TextElement | LogoElement | ListElement | StatsElement,
    Field(discriminator="type"),
]
ELEMENT_TYPES = ("rect", "text", "logo", "list", "stats")


class CardSpec(_Model):
    """A whole card layout, as read from ``<kind>.toml``."""

    canvas: Canvas = Canvas()
    fonts: Fonts = Fonts()
    element: list[Element] = Field(default_factory=list)


def _loc(loc: tuple[int | str, ...]) -> str:
    parts = list(loc)
    # Pydantic puts the discriminator value into the path ("element.2.text.size"): drop it.
    if len(parts) >= 3 and parts[0] == "element" and parts[2] in ELEMENT_TYPES:
        del parts[2]
    return ".".join(str(p) for p in parts)


def _template_fields(template: str) -> list[str]:
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(template):
        if name is not None:
            if spec or conversion:
                raise ValueError(f"write {{{name}}} without a format or conversion")
            names.append(name)
    return names


def _check_fields(path: Path, spec: CardSpec) -> None:
    def check(where: str, template: str, allowed: tuple[str, ...]) -> None:
        try:
            names = _template_fields(template)
        except ValueError as exc:
            raise InputError(path, str(exc), field=where) from exc
        for name in names:
            if name not in allowed:
                raise InputError(
                    path,
                    f"unknown field {{{name}}}",
                    field=where,
                    hint=f"Available fields: {', '.join(allowed)}.",
                )

    for i, el in enumerate(spec.element):
        if isinstance(el, TextElement | LogoElement):
            check(f"element.{i}.text", el.text, CARD_FIELDS)
        elif isinstance(el, ListElement):
            for part in ("time", "title", "detail"):
                check(f"element.{i}.{part}.text", getattr(el, part).text, ITEM_FIELDS)
        elif isinstance(el, StatsElement):
            check(f"element.{i}.number.text", el.number.text, STAT_FIELDS)
            check(f"element.{i}.label.text", el.label.text, STAT_FIELDS)


@lru_cache(maxsize=64)
def _parse(path: Path, mtime_ns: int) -> CardSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(path, f"cannot read this card layout ({exc})") from exc
    try:
        spec = CardSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(path, first["msg"], field=_loc(first["loc"])) from exc
    _check_fields(path, spec)
    return spec


def find_spec(kind: str, card_dirs: list[Path], size: tuple[int, int] | None = None) -> Path:
    """The layout file for ``kind``: in each folder in turn, ``<kind>-<W>x<H>.toml`` (a layout
    drawn for that card size) first, then ``<kind>.toml``."""
    names = [f"{kind}-{size[0]}x{size[1]}.toml"] if size else []
    names.append(f"{kind}.toml")
    for folder in card_dirs:
        for name in names:
            path = folder / name
            if path.is_file():
                return path
    searched = ", ".join(str(d) for d in card_dirs)
    raise InputError(
        card_dirs[0] / f"{kind}.toml",
        "no such card layout",
        hint=f"Searched: {searched}. Copy a built-in layout from templates/cards/.",
    )


def load_spec(
    kind: str, card_dirs: list[Path], size: tuple[int, int] | None = None
) -> tuple[CardSpec, Path]:
    """Load and validate the layout for ``kind``; errors name the file and the dotted field."""
    path = find_spec(kind, card_dirs, size)
    return _parse(path, path.stat().st_mtime_ns), path


def _styles(spec: CardSpec) -> list[tuple[str, TextStyle]]:
    styles: list[tuple[str, TextStyle]] = []
    for i, el in enumerate(spec.element):
        if isinstance(el, TextElement | LogoElement):
            styles.append((f"element.{i}", el))
        elif isinstance(el, ListElement):
            styles += [(f"element.{i}.{p}", getattr(el, p)) for p in ("time", "title", "detail")]
        elif isinstance(el, StatsElement):
            styles += [(f"element.{i}.number", el.number), (f"element.{i}.label", el.label)]
    return styles


def check_spec_colors(spec: CardSpec, path: Path, theme: Theme) -> None:
    """Every text colour of ``spec`` must resolve under ``theme`` and reach 4.5:1 on its ``on``."""
    try:
        theme.color(spec.canvas.background)
    except ValueError as exc:
        raise InputError(path, str(exc), field="canvas.background") from exc
    for i, el in enumerate(spec.element):
        if isinstance(el, RectElement):
            try:
                theme.color(el.fill)
            except ValueError as exc:
                raise InputError(path, str(exc), field=f"element.{i}.fill") from exc
    for where, style in _styles(spec):
        try:
            fg, bg = theme.color(style.color), theme.color(style.on)
        except ValueError as exc:
            raise InputError(path, str(exc), field=f"{where}.color") from exc
        ratio = contrast_ratio(fg, bg)
        if ratio < MIN_CONTRAST:
            raise InputError(
                path,
                f"{style.color!r} on {style.on!r} has contrast {ratio:.2f}:1 with theme "
                f"{theme.name!r}; WCAG AA needs at least {MIN_CONTRAST}:1",
                field=f"{where}.color",
                hint="Pick a colour further from the background.",
            )
