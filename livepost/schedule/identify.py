"""Stable, readable talk ids.

A talk's id names its notes file (``notes/<id>.md``), so it must survive re-imports: the same talk
keeps its id when its time, room or speakers change, and a new talk never takes an old talk's id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from livepost.model import Talk

_STOPWORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "de", "der", "die", "das", "for", "from", "in", "into"}
    | {"of", "on", "or", "the", "to", "und", "with"}
)
_MAX_SLUG = 40  # short enough to type as a notes file name


def slugify(title: str) -> str:
    """``"Red Flags for Police Misconduct"`` -> ``"red-flags-police-misconduct"``.

    Accents are folded (``é`` -> ``e``); letters of other scripts are kept, lower-cased; small
    words are dropped; the result is cut at a word boundary within 40 characters.
    """
    decomposed = unicodedata.normalize("NFKD", title)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    without_apostrophes = re.sub(r"(?<=\w)['’](?=\w)", "", folded)  # people's -> peoples
    words = re.findall(r"\w+", without_apostrophes.casefold().replace("_", " "))
    kept = [w for w in words if w not in _STOPWORDS] or words
    slug = ""
    for word in kept:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > _MAX_SLUG and slug:
            break
        slug = candidate[:_MAX_SLUG]
    return slug or "talk"


def _title_key(title: str) -> str:
    return "".join(re.findall(r"\w+", unicodedata.normalize("NFKC", title).casefold()))


def assign_ids(talks: list[Talk], existing: Iterable[Talk] = ()) -> None:
    """Give every talk in ``talks`` an id, in place.

    A talk whose id the source already set keeps it. Matching against ``existing`` (the talks
    already stored for the event), in this order:
    the same ``source_id``; else the same title (the nearest start wins when a title repeats,
    as "Lunch" does on every day); else a fresh slug that no existing or new talk uses.
    """
    previous = list(existing)
    taken: set[str] = {t.id for t in previous}
    claimed: set[str] = set()
    by_source = {t.source_id: t for t in previous if t.source_id}

    def claim(talk: Talk, old: Talk) -> None:
        talk.id = old.id
        claimed.add(old.id)

    pending: list[Talk] = []
    for talk in talks:
        if talk.id:  # pinned by the source (livepost's YAML allows `id:`)
            claimed.add(talk.id)
            continue
        old = by_source.get(talk.source_id) if talk.source_id else None
        if old is not None and old.id not in claimed:
            claim(talk, old)
        else:
            pending.append(talk)

    unmatched: list[Talk] = []
    for talk in pending:
        key = _title_key(talk.title)
        candidates = [
            t
            for t in previous
            if t.id not in claimed
            and _title_key(t.title) == key
            and not (t.source_id and talk.source_id)  # both have source ids that differ
        ]
        if candidates:
            best = min(candidates, key=lambda t: abs((t.start - talk.start).total_seconds()))
            claim(talk, best)
        else:
            unmatched.append(talk)

    used = taken | claimed
    for talk in unmatched:
        base = slugify(talk.title)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        talk.id = candidate
        used.add(candidate)


def closest_ids(wanted: str, ids: Iterable[str], n: int = 3) -> list[str]:
    """Ids a user probably meant: those starting with ``wanted`` first, else similar ones."""
    import difflib

    known = sorted(ids)
    starting = [i for i in known if i.startswith(wanted)]
    return (starting or difflib.get_close_matches(wanted, known, n=n, cutoff=0.6))[:n]
