"""Fonts installed on the machine, for the scripts the wheel's fonts do not cover.

The wheel carries Noto Sans (Latin, Greek, Cyrillic) and DejaVu Sans (symbols, more alphabets):
Chinese, Japanese, Korean, Arabic, Hebrew, the Indic scripts, Thai and colour emoji would add
tens of megabytes. Those come from Debian's Noto packages (``scripts/setup.sh`` installs them),
looked up at their Debian paths in a fixed order, so a card looks the same on every machine that
has the packages; fontconfig is asked only for a character none of them has.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

FONT_ROOT = Path("/usr/share/fonts")
NOTO = FONT_ROOT / "truetype" / "noto"
NOTO_CJK = FONT_ROOT / "opentype" / "noto"
EMOJI_BITMAP_SIZE = 109  # Noto Color Emoji holds one bitmap strike, 109 pixels
CJK_INDEX = 2  # NotoSansCJK-*.ttc holds JP, KR, SC, TC, HK: Simplified Chinese shapes for Han

# Fonts from fonts-noto-core, in the order they are tried after the layout's own fonts.
NOTO_CORE_SCRIPTS = (
    "Arabic",
    "Hebrew",
    "Devanagari",
    "Bengali",
    "Gurmukhi",
    "Gujarati",
    "Oriya",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
    "Sinhala",
    "Thai",
    "Lao",
    "Khmer",
    "Myanmar",
    "Tibetan",
    "Georgian",
    "Armenian",
    "Ethiopic",
    "Symbols",
    "Symbols2",
)
_CJK_SCRIPTS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}]")
_EMOJI = regex.compile(r"[\p{Emoji_Presentation}\p{Extended_Pictographic}\p{Regional_Indicator}]")


@dataclass(frozen=True)
class Face:
    """One font face: a file, the face's index in a collection (.ttc), whether it is colour."""

    path: Path
    index: int = 0
    color: bool = False


def _noto(script: str, bold: bool) -> Path | None:
    for weight in ("Bold", "Regular") if bold else ("Regular",):
        path = NOTO / f"NotoSans{script}-{weight}.ttf"
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=4)
def debian_fallbacks(bold: bool) -> tuple[Face, ...]:
    """The Debian Noto fonts present on this machine, in the fixed order they are tried."""
    faces = [Face(p) for p in (_noto(s, bold) for s in NOTO_CORE_SCRIPTS) if p is not None]
    cjk = NOTO_CJK / f"NotoSansCJK-{'Bold' if bold else 'Regular'}.ttc"
    if not cjk.is_file():
        cjk = NOTO_CJK / "NotoSansCJK-Regular.ttc"
    if cjk.is_file():
        faces.insert(1, Face(cjk, CJK_INDEX))  # Han is common: try it right after Arabic
    emoji = NOTO / "NotoColorEmoji.ttf"
    if emoji.is_file():
        faces.append(Face(emoji, color=True))
    return tuple(faces)


@lru_cache(maxsize=256)
def fontconfig_face(char: str) -> Face | None:
    """A font fontconfig says covers ``char`` (scalable, not colour), or ``None``."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        result = subprocess.run(
            [fc_list, f":charset={ord(char):x}:scalable=true", "file", "index"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = []
    for line in result.stdout.splitlines():
        file, _, index = line.rstrip(":").partition(": :index=")
        if file.endswith((".ttf", ".otf", ".ttc")) and "Emoji" not in file:
            found.append(Face(Path(file.strip()), int(index or 0)))
    return min(found, key=lambda f: (str(f.path), f.index)) if found else None


def font_package(char: str) -> str:
    """What to install for a character no font covers: a Debian package, or a font file."""
    if _EMOJI.match(char):
        return "fonts-noto-color-emoji"
    if _CJK_SCRIPTS.match(char):
        return "fonts-noto-cjk"
    if unicodedata.category(char) in ("Co", "Cn"):
        return "a font with this character in the event's assets/fonts/"
    return "fonts-noto-core"
