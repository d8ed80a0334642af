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
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from livepost.errors import ConfigError, ScheduleError, StoreError
from livepost.model import Person, Schedule, Talk, TalkKind
from livepost.schedule.identify import assign_ids
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
    "withdrawn",
)

_EVENT_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
_CHUNK = 1000  # rows per IN (...) list: far below SQLite's and PostgreSQL's parameter limits
_T = TypeVar("_T")


@dataclass
class ImportReport:
    """What :func:`save_schedule` did: new talks, changed talks with the names of the changed
    fields (see :data:`COMPARED_FIELDS`), talks gone from the programme, and how many stayed
    the same."""

    added: list[Talk] = field(default_factory=list)
    changed: list[tuple[Talk, list[str]]] = field(default_factory=list)
    withdrawn: list[Talk] = field(default_factory=list)
    unchanged: int = 0

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


def load_talks(session: Session, event_key: str, include_withdrawn: bool = False) -> list[Talk]:
    """The event's talks as domain objects, in start order, with datetimes in aware UTC."""
    event = load_event(session, event_key)
    return [talk for _pk, talk in _load(session, event.id, include_withdrawn)]


def save_schedule(session: Session, event_key: str, schedule: Schedule) -> ImportReport:
    """Merge an imported programme into the event: add new talks, update changed ones, mark the
    ones no longer in the programme withdrawn (never deleted), bring back withdrawn ones that
    reappear. Gives every talk in ``schedule`` its stable id (in place). Idempotent."""
    event = load_event(session, event_key)
    stored = _load(session, event.id, include_withdrawn=True)
    assign_ids(schedule.talks, [talk for _pk, talk in stored])
    _refuse_duplicate_ids(schedule)

    room_ids = _ensure_rooms(session, event.id, {t.room for t in schedule.talks if t.room})
    person_ids = _ensure_people(
        session, event.id, {_person_key(p) for t in schedule.talks for p in t.speakers}
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
        updates.append({"id": pk, **values})
        if "speakers" in fields:
            replaced_speakers[pk] = talk.speakers
        report.changed.append((talk, fields))

    seen = {talk.id for talk in schedule.talks}
    gone: list[int] = []
    for pk, old in stored:
        if old.id not in seen and not old.withdrawn:
            old.withdrawn = True
            gone.append(pk)
            report.withdrawn.append(old)

    for chunk in _chunks(gone):
        session.execute(
            update(TalkRow)
            .where(TalkRow.id.in_(chunk))
            .values(withdrawn=True, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    if updates:
        session.execute(update(TalkRow), updates)
    for chunk in _chunks(list(replaced_speakers)):
        session.execute(delete(TalkSpeakerRow).where(TalkSpeakerRow.talk_pk.in_(chunk)))
    speaker_rows = _speaker_rows(replaced_speakers, person_ids)
    if inserts:
        returned = session.execute(insert(TalkRow).returning(TalkRow.id, TalkRow.talk_id), inserts)
        pks = {talk_id: pk for pk, talk_id in returned}
        speaker_rows += _speaker_rows(
            {pks[talk_id]: speakers for talk_id, speakers in new_speakers.items()}, person_ids
        )
    if speaker_rows:
        session.execute(insert(TalkSpeakerRow), speaker_rows)
    session.flush()
    return report


def _load(session: Session, event_id: int, include_withdrawn: bool) -> list[tuple[int, Talk]]:
    """(row key, Talk) pairs of one event, in start order; three queries whatever the size."""
    query = (
        select(
            TalkRow.id,
            TalkRow.talk_id,
            TalkRow.title,
            TalkRow.kind,
            TalkRow.start_utc,
            TalkRow.end_utc,
            RoomRow.name,
            TalkRow.track,
            TalkRow.abstract,
            TalkRow.language,
            TalkRow.url,
            TalkRow.source_id,
            TalkRow.hashtags,
            TalkRow.withdrawn,
        )
        .outerjoin(RoomRow, TalkRow.room_id == RoomRow.id)
        .where(TalkRow.event_id == event_id)
    )
    if not include_withdrawn:
        query = query.where(TalkRow.withdrawn.is_(False))
    speakers: dict[int, list[Person]] = {}
    speaker_query = (
        select(TalkSpeakerRow.talk_pk, PersonRow.name, PersonRow.affiliation)
        .join(PersonRow, TalkSpeakerRow.person_id == PersonRow.id)
        .join(TalkRow, TalkSpeakerRow.talk_pk == TalkRow.id)
        .where(TalkRow.event_id == event_id)
        .order_by(TalkSpeakerRow.talk_pk, TalkSpeakerRow.position)
    )
    for talk_pk, name, affiliation in session.execute(speaker_query):
        speakers.setdefault(talk_pk, []).append(Person(name, affiliation or None))
    pairs = [
        (
            row.id,
            Talk(
                title=row.title,
                start=row.start_utc,
                end=row.end_utc,
                room=row.name,
                speakers=speakers.get(row.id, []),
                kind=cast(TalkKind, row.kind),
                track=row.track,
                abstract=row.abstract,
                language=row.language,
                url=row.url,
                source_id=row.source_id,
                hashtags=list(row.hashtags or []),
                id=row.talk_id,
                withdrawn=row.withdrawn,
            ),
        )
        for row in session.execute(query)
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
    query = select(RoomRow.name, RoomRow.id).where(RoomRow.event_id == event_id)
    known: dict[str, int] = {name: pk for name, pk in session.execute(query)}
    missing = sorted(names - known.keys())
    if missing:
        returned = session.execute(
            insert(RoomRow).returning(RoomRow.name, RoomRow.id),
            [{"event_id": event_id, "name": name} for name in missing],
        )
        known.update({name: pk for name, pk in returned})
    return known


def _person_key(person: Person) -> tuple[str, str]:
    return (person.name, person.affiliation or "")


def _ensure_people(
    session: Session, event_id: int, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """(name, affiliation or "") -> row key, adding the people not stored yet."""
    query = select(PersonRow.name, PersonRow.affiliation, PersonRow.id).where(
        PersonRow.event_id == event_id
    )
    known = {(name, affiliation): pk for name, affiliation, pk in session.execute(query)}
    missing = sorted(keys - known.keys())
    if missing:
        returned = session.execute(
            insert(PersonRow).returning(PersonRow.name, PersonRow.affiliation, PersonRow.id),
            [{"event_id": event_id, "name": n, "affiliation": a} for n, a in missing],
        )
        known.update({(name, affiliation): pk for name, affiliation, pk in returned})
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
        "withdrawn": False,
        "updated_at": now,
    }


def _changed_fields(old: Talk, new: Talk) -> list[str]:
    """Names of the fields that differ; times compare as instants, whatever their offsets."""
    fields = []
    for name in COMPARED_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if name == "speakers":
            before = [_person_key(p) for p in before]
            after = [_person_key(p) for p in after]
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
