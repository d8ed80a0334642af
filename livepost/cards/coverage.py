"""Which characters a chain of fonts can draw, read from each font's character map.

Kept apart from drawing (no Pillow here), so the planner, ``notes check`` and ``doctor`` can say
which talk's text a card would leave out, and which font package to install, without paying for
Pillow. Collections (``.ttc``, Noto CJK) are read face by face.
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from livepost.cards.bidi import BIDI_CONTROLS
from livepost.cards.system_fonts import Face, debian_fallbacks, font_package, fontconfig_face
from livepost.errors import InputError

# Characters that draw nothing and must not count against coverage (ZWJ, variation selectors).
_SPACES = regex.compile(r"[^\S\n]+")
INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}]")
# A grapheme cluster meant as an emoji: emoji presentation characters, the emoji variation
# selector, keycaps, skin tones, flags (regional indicators, tag sequences) and ZWJ sequences.
EMOJI_CLUSTER = regex.compile(
    r"[\p{Emoji_Presentation}\uFE0F\u20E3\p{Emoji_Modifier}\U000E0020-\U000E007F]"
    r"|\p{Extended_Pictographic}\u200D"
)
_EMOJI_CHAR = regex.compile(r"\p{Emoji_Presentation}")


def _read_cmap(path: Path, index: int = 0) -> frozenset[int]:
    """Return the code points a TrueType/OpenType font (or a collection's ``index``-th face)
    maps (cmap formats 4 and 12)."""
    data = path.read_bytes()
    start = 0
    if data[:4] == b"ttcf":
        (count,) = struct.unpack_from(">I", data, 8)
        if not 0 <= index < count:
            raise ValueError(f"the collection has no face {index}")
        (start,) = struct.unpack_from(">I", data, 12 + 4 * index)
    if data[start : start + 4] not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
        raise ValueError("not a TrueType or OpenType font")
    (num_tables,) = struct.unpack_from(">H", data, start + 4)
    cmap_offset = None
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, start + 12 + 16 * i)
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


@lru_cache(maxsize=64)
def face_coverage(face: Face) -> frozenset[int]:
    """The code points ``face`` can draw; an unreadable font is an input error naming the file."""
    try:
        return _read_cmap(face.path, face.index)
    except (OSError, ValueError, struct.error) as exc:
        raise InputError(
            face.path, f"cannot read this font ({exc})", hint="Use a .ttf or .otf font file."
        ) from exc


def font_coverage(path: Path) -> frozenset[int]:
    """The code points the font file ``path`` can draw."""
    return face_coverage(Face(path))


@lru_cache(maxsize=1024)
def clean_text(text: str) -> str:
    """NFC, without bidi controls (cards order runs themselves), spaces collapsed, per line."""
    text = BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines).strip("\n")


@lru_cache(maxsize=4096)
def covering_face(faces: tuple[Face, ...], cluster: str) -> int | None:
    """The first face with every visible character of ``cluster``; an emoji cluster tries the
    colour faces first (a text font would draw it in black and white), text never uses them."""
    points = [ord(c) for c in INVISIBLE.sub("", cluster)]
    if not points:
        return None
    candidates = list(enumerate(faces))
    if EMOJI_CLUSTER.search(cluster) or any(_EMOJI_CHAR.match(c) for c in cluster):
        candidates.sort(key=lambda item: not item[1].color)
    else:
        candidates = [item for item in candidates if not item[1].color]
    for index, face in candidates:
        coverage = face_coverage(face)
        if all(p in coverage for p in points):
            return index
    return None


@lru_cache(maxsize=1024)
def missing_chars(faces: tuple[Face, ...], text: str) -> tuple[str, ...]:
    """The characters (or clusters) of cleaned ``text`` no single face of ``faces`` draws."""
    found: list[str] = []
    for cluster in regex.findall(r"\X", text):
        if cluster.isspace() or covering_face(faces, cluster) is not None:
            continue
        if not INVISIBLE.sub("", cluster):
            continue
        alone = [
            c
            for c in INVISIBLE.sub("", cluster)
            if not any(ord(c) in face_coverage(f) for f in faces)
        ]
        # Every character in some face but none with the whole cluster: the cluster is missing.
        for item in alone or [cluster]:
            if item not in found:
                found.append(item)
    return tuple(found)


@dataclass(frozen=True)
class MissingGlyphs:
    """Text a card left out because no font on this machine has some of its characters."""

    element: str
    text: str
    chars: tuple[str, ...]

    @property
    def packages(self) -> tuple[str, ...]:
        """What to install (Debian packages, or a font for the event), once each."""
        return tuple(dict.fromkeys(font_package(c[0]) for c in self.chars))

    def describe(self) -> str:
        """``'王' (U+738B) in "王小明": install fonts-noto-cjk``."""
        chars = ", ".join(f"'{c}' ({' '.join(f'U+{ord(x):04X}' for x in c)})" for c in self.chars)
        return f'{chars} in "{self.text}": install {" or ".join(self.packages)}'


def fontconfig_extras(faces: tuple[Face, ...], text: str) -> tuple[Face, ...]:
    """Fonts fontconfig offers for the characters of ``text`` that ``faces`` lack."""
    found = (fontconfig_face(c[0]) for c in missing_chars(faces, text))
    return tuple(dict.fromkeys(f for f in found if f is not None and f not in faces))


def missing_anywhere(faces: tuple[Face, ...], text: str) -> tuple[str, ...]:
    """What ``faces`` lack in ``text`` even with fontconfig's fonts for those characters (as
    drawing does: :func:`livepost.cards.fonts.with_fontconfig`)."""
    return missing_chars(faces + fontconfig_extras(faces, text), text)


def card_text_gaps(
    texts: Sequence[tuple[str, str]], font_paths: Sequence[Sequence[Path]]
) -> list[MissingGlyphs]:
    """For ``(what, text)`` pairs, the text a card drawn with these font chains (the layout's
    regular and bold fonts, each followed by the machine's fallbacks) would leave out."""
    chains = [
        tuple(Face(p) for p in paths) + debian_fallbacks(bold=i > 0)
        for i, paths in enumerate(font_paths)
    ]
    gaps = []
    for what, text in texts:
        cleaned = clean_text(text)
        missing: dict[str, None] = {}
        for faces in chains:
            missing.update(dict.fromkeys(missing_anywhere(faces, cleaned)))
        if missing:
            gaps.append(MissingGlyphs(what, text, tuple(missing)))
    return gaps
