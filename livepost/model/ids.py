"""Stable, readable talk ids.

A talk's id names its notes file (``notes/<id>.md``), so it must survive re-imports: the same talk
keeps its id when its time, room or speakers change, and a new talk never takes an old talk's id.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable

from text_unidecode import unidecode

from livepost.model import Talk

_STOPWORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "de", "der", "die", "das", "for", "from", "in", "into"}
    | {"of", "on", "or", "the", "to", "und", "with"}
)
_MAX_SLUG = 40  # short enough to type as a notes file name


def slugify(title: str) -> str:
    """``"Red Flags for Police Misconduct"`` -> ``"red-flags-police-misconduct"``.

    Accents are folded (``é`` -> ``e``); letters of other scripts are transliterated to ASCII
    (``Αθήνα`` -> ``athena``, ``数据`` -> ``shu-ju``) so an id is always safe to type and to use
    as a file name; small words are dropped; the result is cut at a word boundary within 40
    characters.
    """
    decomposed = unicodedata.normalize("NFKD", title)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    without_apostrophes = re.sub(r"(?<=\w)['’](?=\w)", "", folded)  # people's -> peoples
    ascii_only = unidecode(without_apostrophes.casefold())
    words = re.findall(r"[a-z0-9]+", ascii_only.casefold())
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
    as "Lunch" does on every day: a moved talk); else, for a renamed talk, the same start and
    room, or a close title (:data:`_CLOSE_TITLE`); else a fresh slug that no existing or new
    talk uses. Two talks whose source ids differ are never matched.
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

    by_title: dict[str, list[Talk]] = {}
    if pending:
        for old in previous:
            by_title.setdefault(_title_key(old.title), []).append(old)
    unmatched: list[Talk] = []
    for talk in pending:
        candidates = [
            t
            for t in by_title.get(_title_key(talk.title), [])
            if t.id not in claimed
            and not (t.source_id and talk.source_id)  # both have source ids that differ
        ]
        if candidates:
            best = min(candidates, key=lambda t: abs((t.start - talk.start).total_seconds()))
            claim(talk, best)
        else:
            unmatched.append(talk)

    unmatched = _match_renamed(unmatched, [t for t in previous if t.id not in claimed], claim)
    used = taken | claimed
    for talk in unmatched:
        base = slugify(talk.title)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        talk.id = candidate
        used.add(candidate)


_CLOSE_TITLE = 0.8  # difflib ratio of two titles above which one is the other, renamed
_MAX_PAIRS = 250_000  # beyond this many comparisons, close titles are not looked for


def _match_renamed(
    talks: list[Talk], free: list[Talk], claim: Callable[[Talk, Talk], None]
) -> list[Talk]:
    """Match renamed talks (same start and room, else a close title); return the rest."""
    if not talks or not free:
        return talks

    def compatible(new: Talk, old: Talk) -> bool:
        return new.kind == old.kind and not (
            new.source_id and old.source_id and new.source_id != old.source_id
        )

    slots: dict[tuple[object, str], list[Talk]] = {}
    for old in free:
        slots.setdefault((old.start, (old.room or "").casefold()), []).append(old)
    taken: set[str] = set()
    rest: list[Talk] = []
    for talk in talks:
        same_slot = [
            old
            for old in slots.get((talk.start, (talk.room or "").casefold()), [])
            if old.id not in taken and compatible(talk, old)
        ]
        if same_slot:
            claim(talk, same_slot[0])
            taken.add(same_slot[0].id)
        else:
            rest.append(talk)
    if not rest or len(rest) * len(free) > _MAX_PAIRS:
        return rest
    left: list[Talk] = []
    for talk in rest:
        key = _title_key(talk.title)
        best: tuple[float, Talk] | None = None
        for old in free:
            if old.id in taken or not compatible(talk, old):
                continue
            matcher = difflib.SequenceMatcher(None, key, _title_key(old.title))
            if matcher.real_quick_ratio() < _CLOSE_TITLE or matcher.quick_ratio() < _CLOSE_TITLE:
                continue
            ratio = matcher.ratio()
            if ratio >= _CLOSE_TITLE and (best is None or ratio > best[0]):
                best = (ratio, old)
        if best is None:
            left.append(talk)
        else:
            claim(talk, best[1])
            taken.add(best[1].id)
    return left


def closest_ids(wanted: str, ids: Iterable[str], n: int = 3) -> list[str]:
    """Ids a user probably meant: those starting with ``wanted`` first, else similar ones."""
    known = sorted(ids)
    starting = [i for i in known if i.startswith(wanted)]
    return (starting or difflib.get_close_matches(wanted, known, n=n, cutoff=0.6))[:n]
