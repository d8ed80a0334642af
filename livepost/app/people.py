"""Speakers and their Bluesky handles, for every front end: ``livepost people list|set|check``,
and the handle checks of ``doctor`` and ``plan``.

Handles come from the programme and from the people file (``people.toml``, which wins). They are
checked with ``resolveHandle`` on the event's service; answers are cached in the database so
``plan`` stays fast, and a handle that does not resolve is left out of the posts (the plain name
is used) instead of failing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure
from livepost.errors import InputError, NetworkError
from livepost.model import Talk
from livepost.people import name_key, normalize_handle, read_people, write_people
from livepost.store.engine import session_scope
from livepost.store.handles import cached_checks, save_checks
from livepost.store.models import utc_now
from livepost.store.speakers import set_handle
from livepost.store.speakers import speakers as stored_speakers
from livepost.store.talks import ensure_event

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings

#: a cached answer is trusted this long by ``plan`` and ``doctor`` (``people check`` asks again)
CHECK_FRESH = timedelta(hours=6)


@dataclass(frozen=True)
class Speaker:
    """One speaker as ``people list`` shows them: the handle and where it comes from."""

    name: str
    handle: str | None
    source: str  # "people file", "programme" or "" (no handle)

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "handle": self.handle, "source": self.source or None}


def list_people(settings: Settings, engine: Engine) -> list[Speaker]:
    """Every speaker of the programme and every name in the people file, by name."""
    people = read_people(settings.people_path)
    by_key = {name_key(name): (name, handle) for name, handle in people.items()}
    speakers: dict[str, Speaker] = {}
    with session_scope(engine) as session:
        event = ensure_event(
            session, settings.event_key, settings.event.name, settings.event.timezone
        )
        stored = [(name, handle) for _pk, name, handle in stored_speakers(session, event)]
    for name, handle in stored:
        key = name_key(name)
        if key in by_key:
            speakers[key] = Speaker(name, by_key[key][1], "people file")
        elif key not in speakers or handle:
            speakers[key] = Speaker(name, handle, "programme" if handle else "")
    for key, (name, handle) in by_key.items():
        speakers.setdefault(key, Speaker(name, handle, "people file"))
    return sorted(speakers.values(), key=lambda s: name_key(s.name))


def set_person(settings: Settings, engine: Engine, name: str, handle: str) -> tuple[str, int]:
    """Give ``name`` the ``handle`` in the people file and in the stored programme at once;
    returns the normalised handle and how many stored speakers took it."""
    clean = normalize_handle(handle)
    if clean is None:
        raise InputError(
            "HANDLE",
            f"{handle!r} is not a Bluesky handle",
            hint="Write it like jomockeridge.bsky.social (with or without '@').",
        )
    if not name.strip():
        raise InputError("NAME", "the name is empty", hint="Give the name as in the programme.")
    people = read_people(settings.people_path)
    key = name_key(name)
    people = {n: h for n, h in people.items() if name_key(n) != key}
    people[" ".join(name.split())] = clean
    write_people(settings.people_path, people)
    with session_scope(engine) as session:
        event = ensure_event(
            session, settings.event_key, settings.event.name, settings.event.timezone
        )
        matching = [
            pk for pk, stored, _ in stored_speakers(session, event) if name_key(stored) == key
        ]
        set_handle(session, event, matching, clean)
    return clean, len(matching)


@dataclass
class HandleCheck:
    """What checking a set of handles found: DIDs of those that resolve, the others, and why
    the service could not be asked (then ``unchecked`` lists what is not known)."""

    resolved: dict[str, str]
    unresolved: list[str]
    unchecked: list[str]
    problem: str | None = None


def check_handles(
    settings: Settings,
    engine: Engine,
    handles: Iterable[str],
    *,
    fresh: timedelta | None = CHECK_FRESH,
    now: datetime | None = None,
) -> HandleCheck:
    """Resolve ``handles`` on the event's service, reusing cached answers younger than
    ``fresh`` (None: ask again). An unreachable service is reported in ``problem``."""
    wanted = sorted(set(handles))
    now = now or utc_now()
    with session_scope(engine) as session:
        cached = cached_checks(session, settings.service, set(wanted))
    known = {
        handle: did
        for handle, (did, checked_at) in cached.items()
        if fresh is not None and now - checked_at < fresh
    }
    ask = [h for h in wanted if h not in known]
    problem = None
    if ask:
        from livepost.bluesky.identity import resolve_handles

        try:
            found = resolve_handles(settings.service, ask)
        except NetworkError as exc:
            problem = exc.message
            found = {}
        if found:
            with session_scope(engine) as session:
                save_checks(session, settings.service, found, now)
        known.update(found)
    return HandleCheck(
        resolved={h: did for h, did in known.items() if did},
        unresolved=sorted(h for h, did in known.items() if did is None),
        unchecked=[h for h in wanted if h not in known],
        problem=problem,
    )


def speaker_handles(talks: Sequence[Talk]) -> dict[str, str]:
    """handle -> a speaker's name, over the programme's talks (not withdrawn)."""
    return {p.handle: p.name for t in talks if not t.withdrawn for p in t.speakers if p.handle}


def handle_warnings(check: HandleCheck, names: dict[str, str]) -> list[str]:
    """``plan``'s and ``doctor``'s words for handles that do not resolve or were not checked."""
    warnings = [
        f"speaker {names.get(h, '?')}: @{h} does not resolve on Bluesky; "
        "posts name them without a mention (fix it with: livepost people set NAME HANDLE)"
        for h in check.unresolved
    ]
    if check.problem and check.unchecked:
        warnings.append(f"{len(check.unchecked)} speaker handle(s) not checked: {check.problem}")
    return warnings


class People(EventScope):
    """The speakers' handles as one person asks of them: anyone reads, an officer changes."""

    def speakers(self) -> list[Speaker]:
        ensure(self.actor, Action.READ)
        return list_people(self.settings, self.engine)

    def set(self, name: str, handle: str) -> tuple[str, int]:
        """Give ``name`` the ``handle`` (people file and stored programme); logged."""
        ensure(self.actor, Action.PROGRAMME)
        clean, matched = set_person(self.settings, self.engine, name, handle)
        with self.session() as (session, event):
            self.audit(session, event, "people.set", name, f"@{clean}")
        return clean, matched

    def check(self, handles: Iterable[str]) -> HandleCheck:
        """Resolve every handle on the service now (no cached answers)."""
        ensure(self.actor, Action.READ)
        return check_handles(self.settings, self.engine, handles, fresh=None)
