"""Which hashtags a post gets and where they go.

The event's hashtags go on every post, then the talk's or track's own; a tag already in the text
in any letter case (``#CCPRconf26``) is not added again. They are appended at the end: after a
space when the text already ends with a line of hashtags, else on a line of their own (both cost
one grapheme, so a line of their own is always affordable when anything is). Whether they fit is
the caller's question; the answer is never to drop them (see :mod:`livepost.compose.compose`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from livepost.compose.facets import detect_facets
from livepost.compose.text import byte_count
from livepost.errors import LivepostError

MAX_RECORD_TAGS = 8
MAX_RECORD_TAG_BYTES = 640


@lru_cache(maxsize=1024)
def clean_tag(tag: str) -> str:
    """``#CCPRconf26`` or ``CCPRconf26`` -> ``CCPRconf26``; an error if Bluesky would not link."""
    bare = tag.strip().lstrip("#＃")
    facets = detect_facets(f"#{bare}")
    if (
        not bare
        or len(facets) != 1
        or facets[0].type != "tag"
        or facets[0].value != bare
        or byte_count(bare) > MAX_RECORD_TAG_BYTES
    ):
        raise LivepostError(
            f"{tag!r} is not a hashtag Bluesky can link.",
            hint="A hashtag needs a letter (not only digits or punctuation), no spaces, "
            "no trailing punctuation, and at most 64 characters.",
        )
    return bare


def tags_in_text(text: str) -> set[str]:
    """The tags the text already carries, case-folded (as they would be clickable)."""
    return {f.value.casefold() for f in detect_facets(text) if f.type == "tag"}


def missing_tags(text: str, tags: Iterable[str]) -> list[str]:
    """``tags`` in order, without those already in ``text`` or repeated, in any letter case."""
    seen = tags_in_text(text) if ("#" in text or "＃" in text) else set()
    missing = []
    for tag in tags:
        key = tag.casefold()
        if key not in seen:
            seen.add(key)
            missing.append(tag)
    return missing


def _is_tag_line(line: str) -> bool:
    words = line.split()
    if not words or words[0][0] not in "#＃":
        return False
    tags = [f for f in detect_facets(line) if f.type == "tag"]
    return len(tags) == len(words) and all(w[0] in "#＃" for w in words)


def append_tags(text: str, tags: Sequence[str]) -> str:
    """``text`` with ``#tag`` for each of ``tags`` at the end (see the module docstring)."""
    if not tags:
        return text
    line = " ".join(f"#{tag}" for tag in tags)
    if not text:
        return line
    last_line = text.rsplit("\n", 1)[-1]
    separator = " " if _is_tag_line(last_line) else "\n"
    return f"{text}{separator}{line}"
