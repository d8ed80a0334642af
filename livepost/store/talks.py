"""Events and talks in the database: ``ensure_*`` idempotent, ``load_*`` reads, ``save_*`` writes.

Every function works inside the caller's session and never commits: one
:func:`~livepost.store.engine.session_scope` is one transaction, so an import that fails half-way
leaves the event's data as it was. Writes are done in bulk (a fixed number of statements per
import, not one per talk) so that a 10,000-talk programme saves in well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from livepost.errors import ConfigError, ScheduleError, StoreError
from livepost.model import Person, Schedule, Talk, TalkKind
from livepost.model.ids import assign_ids
from livepost.store.models import EventRow, PersonRow, RoomRow, TalkRow, TalkSpeakerRow, utc_now

#: The fields compared on re-import, in the order a change report lists them.
COMPARED_FIELDS: tuple[str, ...] = (
    "title",
    "start",
    "end",
    "room",
    "speakers",
    "kind",
    "track",
    "abstract",
    "language",
    "url",
    "source_id",
    "hashtags",
    "lead_minutes",
    "withdrawn",
)

_EVENT_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
_CHUNK = 1000  # rows per IN (...) list: far below SQLite's and PostgreSQL's parameter limits
_T = TypeVar("_T")
_TALKS = cast(Table, TalkRow.__table__)
_ROOMS = cast(Table, RoomRow.__table__)
_PEOPLE = cast(Table, PersonRow.__table__)
_SPEAKERS = cast(Table, TalkSpeakerRow.__table__)


@dataclass
class ImportReport:
    """What :func:`save_schedule` did: new talks, changed talks with the names of the changed
    fields (see :data:`COMPARED_FIELDS`), talks gone from the programme, and how many stayed
    the same."""

    added: list[Talk] = field(default_factory=list)
    changed: list[tuple[Talk, list[str]]] = field(default_factory=list)
    withdrawn: list[Talk] = field(default_factory=list)
    unchanged: int = 0
    previous: dict[str, Talk] = field(default_factory=dict)  # id -> the stored talk it changed

    @property
    def nothing_changed(self) -> bool:
        """True when the import found the database already up to date."""
        return not (self.added or self.changed or self.withdrawn)


def ensure_event(session: Session, key: str, name: str, timezone: str) -> EventRow:
    """The event row for ``key``, created if missing; its name and time zone follow the settings."""
    if not _EVENT_KEY.fullmatch(key):
        raise ConfigError(
            f"{key!r} cannot name an event",
            hint="Use lower-case letters, digits, '-' and '_' (for example 'ccprconf26').",
        )
    event = session.scalars(select(EventRow).where(EventRow.key == key)).one_or_none()
    if event is None:
        event = EventRow(key=key, name=name, timezone=timezone, created_at=utc_now())
        session.add(event)
        session.flush()
    else:
        if event.name != name:
            event.name = name
        if event.timezone != timezone:
            event.timezone = timezone
    return event


def load_event(session: Session, key: str) -> EventRow:
    """The event row for ``key``; a :class:`StoreError` when the database has no such event."""
    event = session.scalars(select(EventRow).where(EventRow.key == key)).one_or_none()
    if event is None:
        raise StoreError(
            f"the database has no event {key!r}",
            hint="Import the event's programme first: livepost schedule import FILE",
        )
    return event


def event_ids(session: Session, key: str) -> list[int]:
    """The id of the event row for ``key``, as a list (empty when there is none)."""
    return list(session.scalars(select(EventRow.id).where(EventRow.key == key)))


def drop_event(session: Session, key: str) -> None:
    """Delete the event row for ``key`` and, by cascade, its programme (the rehearsal copy)."""
    session.execute(delete(EventRow).where(EventRow.key == key))


def talks_fingerprint(session: Session, event: EventRow) -> tuple[object, ...]:
    """Changes whenever a talk of the event is added or changed (the daemon re-plans then)."""
    row = session.execute(
        select(func.count(TalkRow.id), func.max(TalkRow.updated_at)).where(
            TalkRow.event_id == event.id
        )
    ).one()
    return tuple(row)


def load_talks(session: Session, event_key: str, include_withdrawn: bool = False) -> list[Talk]:
    """The event's talks as domain objects, in start order, with datetimes in aware UTC."""
    event = load_event(session, event_key)
    return [talk for _pk, talk in _load(session, event.id, include_withdrawn)]


def save_schedule(
    session: Session,
    event_key: str,
    schedule: Schedule,
    *,
    zone: ZoneInfo | None = None,
    allow_withdraw: bool = False,
) -> ImportReport:
    """Merge an imported programme into the event: add new talks, update changed ones, mark the
    ones no longer in the programme withdrawn (never deleted), bring back withdrawn ones that
    reappear. Gives every talk in ``schedule`` its stable id (in place). Idempotent.

    Only talks on the days the file covers (local days in ``zone``) can be withdrawn, so a file
    of one day leaves the other days alone. An import that would withdraw more than half of the
    event's talks (an empty or truncated file) raises :class:`ScheduleError` naming them unless
    ``allow_withdraw``; the caller's transaction then leaves everything as it was.
    """
    event = load_event(session, event_key)
    stored = _load(session, event.id, include_withdrawn=True)
    assign_ids(schedule.talks, [talk for _pk, talk in stored])
    _refuse_duplicate_ids(schedule)

    room_ids = _ensure_rooms(session, event.id, {t.room for t in schedule.talks if t.room})
    person_ids = _ensure_people(
        session, event.id, {_person_key(p): p.handle for t in schedule.talks for p in t.speakers}
    )

    by_id = {talk.id: (pk, talk) for pk, talk in stored}
    report = ImportReport()
    now = utc_now()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    new_speakers: dict[str, list[Person]] = {}  # talk id -> speakers, for added talks
    replaced_speakers: dict[int, list[Person]] = {}  # talk pk -> speakers, for changed talks
    for talk in schedule.talks:
        found = by_id.get(talk.id)
        values = _row_values(talk, room_ids, now)
        if found is None:
            inserts.append({"event_id": event.id, "talk_id": talk.id, **values})
            new_speakers[talk.id] = talk.speakers
            report.added.append(talk)
            continue
        pk, old = found
        fields = _changed_fields(old, talk)
        if not fields:
            report.unchanged += 1
            continue
        updates.append({"pk": pk, **values})
        if "speakers" in fields:
            replaced_speakers[pk] = talk.speakers
        report.changed.append((talk, fields))
        report.previous[talk.id] = old

    seen = {talk.id for talk in schedule.talks}
    days = _days(schedule.talks, zone)
    gone: list[int] = []
    for pk, old in stored:
        if old.id not in seen and not old.withdrawn and (days is None or _day(old, zone) in days):
            old.withdrawn = True
            gone.append(pk)
            report.withdrawn.append(old)
    active = sum(1 for _pk, old in stored if not old.withdrawn) + len(gone)
    if not allow_withdraw and gone and len(gone) * 2 > active:
        _refuse_mass_withdrawal(schedule, report.withdrawn, active, zone)

    connection = session.connection()  # Core statements: the ORM's per-row work costs seconds
    for chunk in _chunks(gone):
        connection.execute(
            update(_TALKS).where(_TALKS.c.id.in_(chunk)).values(withdrawn=True, updated_at=now)
        )
    if updates:
        connection.execute(update(_TALKS).where(_TALKS.c.id == bindparam("pk")), updates)
    for chunk in _chunks(list(replaced_speakers)):
        connection.execute(delete(_SPEAKERS).where(_SPEAKERS.c.talk_pk.in_(chunk)))
    speaker_rows = _speaker_rows(replaced_speakers, person_ids)
    if inserts:
        connection.execute(insert(_TALKS), inserts)
        query = select(_TALKS.c.talk_id, _TALKS.c.id).where(_TALKS.c.event_id == event.id)
        pks: dict[str, int] = {talk_id: pk for talk_id, pk in connection.execute(query)}
        speaker_rows += _speaker_rows(
            {pks[talk_id]: speakers for talk_id, speakers in new_speakers.items()}, person_ids
        )
    if speaker_rows:
        connection.execute(insert(_SPEAKERS), speaker_rows)
    return report


def _day(talk: Talk, zone: ZoneInfo | None) -> date:
    return talk.start.astimezone(zone or UTC).date()


def _days(talks: list[Talk], zone: ZoneInfo | None) -> set[date] | None:
    """The local days a file covers; ``None`` (every day) for a file without talks."""
    return {_day(talk, zone) for talk in talks} if talks else None


def _refuse_mass_withdrawal(
    schedule: Schedule, gone: list[Talk], active: int, zone: ZoneInfo | None
) -> None:
    shown = [
        f"{t.id} ({t.start.astimezone(zone or UTC):%a %d %b %H:%M}) {t.title}" for t in gone[:10]
    ]
    more = f"; and {len(gone) - 10} more" if len(gone) > 10 else ""
    raise ScheduleError(
        schedule.source or "the schedule",
        f"would withdraw {len(gone)} of the event's {active} talks: {'; '.join(shown)}{more}. "
        "Nothing was changed",
        hint="A file that is empty or cut short looks like this: export the programme again. "
        "If the talks really are cancelled, import again with --allow-withdraw.",
    )


def _load(session: Session, event_id: int, include_withdrawn: bool) -> list[tuple[int, Talk]]:
    """(row key, Talk) pairs of one event, in start order; two queries whatever the size."""
    t, r = _TALKS.c, _ROOMS.c
    query = (
        select(
            t.id,
            t.talk_id,
            t.title,
            t.kind,
            t.start_utc,
            t.end_utc,
            r.name,
            t.track,
            t.abstract,
            t.language,
            t.url,
            t.source_id,
            t.hashtags,
            t.lead_minutes,
            t.withdrawn,
        )
        .select_from(_TALKS.outerjoin(_ROOMS, t.room_id == r.id))
        .where(t.event_id == event_id)
    )
    if not include_withdrawn:
        query = query.where(t.withdrawn.is_(False))
    speaker_query = (
        select(_SPEAKERS.c.talk_pk, _PEOPLE.c.name, _PEOPLE.c.affiliation, _PEOPLE.c.handle)
        .select_from(
            _SPEAKERS.join(_PEOPLE, _SPEAKERS.c.person_id == _PEOPLE.c.id).join(
                _TALKS, _SPEAKERS.c.talk_pk == t.id
            )
        )
        .where(t.event_id == event_id)
        .order_by(_SPEAKERS.c.talk_pk, _SPEAKERS.c.position)
    )
    connection = session.connection()
    speakers: dict[int, list[Person]] = {}
    for talk_pk, name, affiliation, handle in connection.execute(speaker_query).all():
        speakers.setdefault(talk_pk, []).append(Person(name, affiliation or None, handle))
    pairs = [
        (
            pk,
            Talk(
                title=title,
                start=start,
                end=end,
                room=room,
                speakers=speakers.get(pk, []),
                kind=cast(TalkKind, kind),
                track=track,
                abstract=abstract,
                language=language,
                url=url,
                source_id=source_id,
                hashtags=list(hashtags or []),
                lead_minutes=lead_minutes,
                id=talk_id,
                withdrawn=withdrawn,
            ),
        )
        for (
            pk,
            talk_id,
            title,
            kind,
            start,
            end,
            room,
            track,
            abstract,
            language,
            url,
            source_id,
            hashtags,
            lead_minutes,
            withdrawn,
        ) in connection.execute(query).all()
    ]
    pairs.sort(key=lambda pair: (pair[1].start, pair[1].room or "", pair[1].title, pair[1].id))
    return pairs


def _refuse_duplicate_ids(schedule: Schedule) -> None:
    first: dict[str, Talk] = {}
    for talk in schedule.talks:
        other = first.setdefault(talk.id, talk)
        if other is not talk:
            raise ScheduleError(
                schedule.source or "the schedule",
                f"two items have the id {talk.id!r}: {other.title!r} and {talk.title!r}",
                hint="Give each item its own id in the schedule file.",
            )


def _ensure_rooms(session: Session, event_id: int, names: set[str]) -> dict[str, int]:
    """Room name -> row key, adding the rooms the database does not have yet."""
    connection = session.connection()
    query = select(_ROOMS.c.name, _ROOMS.c.id).where(_ROOMS.c.event_id == event_id)
    known: dict[str, int] = {name: pk for name, pk in connection.execute(query)}
    missing = sorted(names - known.keys())
    if missing:
        connection.execute(
            insert(_ROOMS), [{"event_id": event_id, "name": name} for name in missing]
        )
        known = {name: pk for name, pk in connection.execute(query)}
    return known


def _person_key(person: Person) -> tuple[str, str]:
    return (person.name, person.affiliation or "")


def _ensure_people(
    session: Session, event_id: int, handles: dict[tuple[str, str], str | None]
) -> dict[tuple[str, str], int]:
    """(name, affiliation or "") -> row key, adding the people not stored yet and keeping each
    one's Bluesky handle as the programme (with the people file applied) gives it."""
    connection = session.connection()
    p = _PEOPLE.c
    query = select(p.name, p.affiliation, p.id, p.handle).where(p.event_id == event_id)
    rows = connection.execute(query).all()
    known = {(name, affiliation): pk for name, affiliation, pk, _handle in rows}
    stored = {(name, affiliation): handle for name, affiliation, _pk, handle in rows}
    missing = sorted(handles.keys() - known.keys())
    if missing:
        connection.execute(
            insert(_PEOPLE),
            [
                {"event_id": event_id, "name": n, "affiliation": a, "handle": handles[(n, a)]}
                for n, a in missing
            ],
        )
        known = {(name, affiliation): pk for name, affiliation, pk, _h in connection.execute(query)}
    changed = [
        {"pk": known[key], "new_handle": handle}
        for key, handle in handles.items()
        if key in stored and stored[key] != handle
    ]
    if changed:
        connection.execute(
            update(_PEOPLE).where(p.id == bindparam("pk")).values(handle=bindparam("new_handle")),
            changed,
        )
    return known


def _row_values(talk: Talk, room_ids: dict[str, int], now: datetime) -> dict[str, Any]:
    return {
        "title": talk.title,
        "kind": talk.kind,
        "start_utc": talk.start,
        "end_utc": talk.end,
        "room_id": room_ids[talk.room] if talk.room else None,
        "track": talk.track,
        "abstract": talk.abstract,
        "language": talk.language,
        "url": talk.url,
        "source_id": talk.source_id,
        "hashtags": list(talk.hashtags),
        "lead_minutes": talk.lead_minutes,
        "withdrawn": False,
        "updated_at": now,
    }


def _changed_fields(old: Talk, new: Talk) -> list[str]:
    """Names of the fields that differ; times compare as instants, whatever their offsets."""
    fields = []
    for name in COMPARED_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if name == "speakers":
            before = [(*_person_key(p), p.handle) for p in before]
            after = [(*_person_key(p), p.handle) for p in after]
        elif name == "withdrawn":
            after = False  # appearing in the programme brings a withdrawn talk back
        if before != after:
            fields.append(name)
    return fields


def _speaker_rows(
    speakers: dict[int, list[Person]], person_ids: dict[tuple[str, str], int]
) -> list[dict[str, int]]:
    return [
        {"talk_pk": pk, "position": position, "person_id": person_ids[_person_key(person)]}
        for pk, people in speakers.items()
        for position, person in enumerate(people)
    ]


def _chunks(items: Sequence[_T], size: int = _CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
