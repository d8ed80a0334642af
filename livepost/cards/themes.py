"""Colour schemes for cards, and the WCAG 2.x contrast check every scheme must pass.

Text on a card is read on phones, in daylight, by people with all kinds of eyesight: every pair of
colours a layout draws text with must reach 4.5:1 (WCAG 2.x level AA for normal text). Built-in
schemes are checked by a test; an event's own schemes (``templates/cards/themes.toml``) are checked
when they are loaded, and a failing one is an input error saying which pair to fix.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from livepost.errors import ConfigError, InputError

RGB = tuple[int, int, int]
MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_color(value: str) -> RGB:
    """``#rgb`` or ``#rrggbb`` to an (r, g, b) tuple; anything else raises ``ValueError``."""
    if not _HEX.match(value):
        raise ValueError(f"{value!r} is not a colour; write it as #rrggbb, e.g. #1d232b")
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0 black .. 1 white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB | str, b: RGB | str) -> float:
    """WCAG 2.x contrast ratio between two colours, from 1.0 (same) to 21.0 (black on white)."""
    la = relative_luminance(parse_color(a) if isinstance(a, str) else a)
    lb = relative_luminance(parse_color(b) if isinstance(b, str) else b)
    light, dark = max(la, lb), min(la, lb)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Theme:
    """Named colours a layout refers to (``color = "muted"``); values are ``#rrggbb``."""

    name: str
    background: str  # the card
    surface: str  # panels drawn on the card
    text: str  # main text, on background or surface
    muted: str  # secondary text (affiliations, labels), on background or surface
    accent: str  # highlights and accent text (time, hashtag), on background or surface
    on_accent: str  # text drawn on an accent-filled shape

    def color(self, value: str) -> RGB:
        """Resolve a theme colour name or a literal ``#rrggbb``."""
        if value.startswith("#"):
            return parse_color(value)
        if value not in COLOR_NAMES:
            raise ValueError(f"unknown colour {value!r}; use #rrggbb or one of {COLOR_LIST}")
        return parse_color(str(getattr(self, value)))


COLOR_NAMES = tuple(f.name for f in fields(Theme) if f.name != "name")
COLOR_LIST = ", ".join(COLOR_NAMES)

# (text colour, background colour) pairs the built-in layouts draw text with.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "background"),
    ("muted", "background"),
    ("accent", "background"),
    ("text", "surface"),
    ("muted", "surface"),
    ("accent", "surface"),
    ("on_accent", "accent"),
)

BUILTIN_THEMES: dict[str, Theme] = {
    t.name: t
    for t in (
        Theme("default", "#10213a", "#1c3254", "#ffffff", "#c3cfe2", "#ffc44d", "#10213a"),
        Theme("light", "#f6f4ef", "#ffffff", "#17202b", "#4a5563", "#0b5cad", "#ffffff"),
        Theme("contrast", "#000000", "#161616", "#ffffff", "#e6e6e6", "#ffe14d", "#000000"),
        Theme("forest", "#0f3d3a", "#16524e", "#ffffff", "#cfe7e3", "#ffd27a", "#0f3d3a"),
        Theme("berry", "#3b1038", "#52194d", "#ffffff", "#ecd3e8", "#ffb3d9", "#3b1038"),
    )
}


def theme_problems(theme: Theme) -> list[str]:
    """Every text/background pair of ``theme`` below 4.5:1, as readable sentences."""
    problems = []
    for fg, bg in TEXT_PAIRS:
        ratio = contrast_ratio(theme.color(fg), theme.color(bg))
        if ratio < MIN_CONTRAST:
            problems.append(
                f"{fg} ({getattr(theme, fg)}) on {bg} ({getattr(theme, bg)}) has contrast "
                f"{ratio:.2f}:1, below the {MIN_CONTRAST}:1 that WCAG AA requires"
            )
    return problems


def _load_theme_file(path: Path) -> dict[str, Theme]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(path, f"cannot read this themes file ({exc})") from exc
    themes: dict[str, Theme] = {}
    table = data.get("themes", {})
    if not isinstance(table, dict):
        raise InputError(path, "must be a table of [themes.NAME]", field="themes")
    for name, values in table.items():
        where = f"themes.{name}"
        if not isinstance(values, dict):
            raise InputError(path, "must be a table of colours", field=where)
        unknown = sorted(set(values) - set(COLOR_NAMES))
        if unknown:
            raise InputError(path, f"unknown colour {unknown[0]!r}", field=where, hint=COLOR_LIST)
        missing = [c for c in COLOR_NAMES if c not in values]
        if missing:
            raise InputError(path, f"missing colour {missing[0]!r}", field=where)
        for key, value in values.items():
            try:
                parse_color(str(value))
            except ValueError as exc:
                raise InputError(path, str(exc), field=f"{where}.{key}") from exc
        theme = Theme(name=name, **{k: str(v) for k, v in values.items()})
        problems = theme_problems(theme)
        if problems:
            raise InputError(path, problems[0], field=where, hint="Pick colours further apart.")
        themes[name] = theme
    return themes


def load_themes(card_dirs: Sequence[Path] = ()) -> dict[str, Theme]:
    """Built-in themes plus ``themes.toml`` of each card template folder (earlier folders win)."""
    themes = dict(BUILTIN_THEMES)
    for folder in reversed(card_dirs):
        path = folder / "themes.toml"
        if path.is_file():
            themes.update(_load_theme_file(path))
    return themes


def get_theme(name: str, card_dirs: Sequence[Path] = ()) -> Theme:
    """The theme called ``name``; an unknown name is a settings error listing the choices."""
    themes = load_themes(card_dirs)
    if name not in themes:
        raise ConfigError(
            f"unknown card theme {name!r}",
            hint=f"Choose one of: {', '.join(sorted(themes))}.",
        )
    return themes[name]
