"""Where card layouts and fonts are looked up: the event's folders first, then the built-in ones
(:func:`livepost.resources.builtin_dir`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from livepost.errors import InputError
from livepost.resources import builtin_dir


def card_template_dirs(template_dirs: Sequence[Path] = ()) -> list[Path]:
    """The card layout folders to search, first match wins: each event ``templates/cards/``, then
    the built-in one."""
    return [Path(d) / "cards" for d in template_dirs] + [builtin_dir("templates") / "cards"]


def font_dirs(asset_dirs: Sequence[Path] = ()) -> list[Path]:
    """Folders a layout's font names are looked up in: each event ``assets/fonts/``, then ours."""
    return [Path(d) / "fonts" for d in asset_dirs] + [builtin_dir("assets") / "fonts"]


def resolve_font(name: str, dirs: list[Path], path: Path, where: str) -> Path:
    """A layout's font name as a file: absolute, or the first match in ``dirs``."""
    candidate = Path(name)
    if candidate.is_absolute():
        if candidate.is_file():
            return candidate
    else:
        for folder in dirs:
            if (folder / name).is_file():
                return (folder / name).resolve()
    searched = ", ".join(str(d) for d in dirs)
    raise InputError(path, f"font {name!r} not found", field=where, hint=f"Searched: {searched}.")
