"""Where card layouts and fonts are looked up: the event's folders first, then the built-in ones
(:func:`livepost.resources.builtin_dir`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from livepost.resources import builtin_dir


def card_template_dirs(template_dirs: Sequence[Path] = ()) -> list[Path]:
    """The card layout folders to search, first match wins: each event ``templates/cards/``, then
    the built-in one."""
    return [Path(d) / "cards" for d in template_dirs] + [builtin_dir("templates") / "cards"]


def font_dirs(asset_dirs: Sequence[Path] = ()) -> list[Path]:
    """Folders a layout's font names are looked up in: each event ``assets/fonts/``, then ours."""
    return [Path(d) / "fonts" for d in asset_dirs] + [builtin_dir("assets") / "fonts"]
