"""Where built-in templates and assets live: inside the wheel, or at the top of a checkout.

The wheel force-includes the repository's ``templates/`` and ``assets/`` as
``livepost/_data/templates`` and ``livepost/_data/assets`` (see pyproject.toml); a checkout or an
editable install has them next to the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import livepost


def builtin_dir(name: str) -> Path:
    """The built-in ``templates`` or ``assets`` folder."""
    package = Path(livepost.__file__).resolve().parent
    packaged = package / "_data" / name
    return packaged if packaged.is_dir() else package.parent / name


def card_template_dirs(template_dirs: Sequence[Path] = ()) -> list[Path]:
    """The card layout folders to search, first match wins: each event ``templates/cards/``, then
    the built-in one."""
    return [Path(d) / "cards" for d in template_dirs] + [builtin_dir("templates") / "cards"]


def font_dirs(asset_dirs: Sequence[Path] = ()) -> list[Path]:
    """Folders a layout's font names are looked up in: each event ``assets/fonts/``, then ours."""
    return [Path(d) / "fonts" for d in asset_dirs] + [builtin_dir("assets") / "fonts"]
