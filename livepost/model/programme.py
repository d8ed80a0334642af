"""Plain typed domain objects. Every importer produces these; everything downstream consumes them.

All datetimes are timezone-aware. Storage keeps UTC; display converts to the event's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

TalkKind = Literal["talk", "break"]


@dataclass(frozen=True)
class Person:
    """A speaker. ``affiliation`` is free text ("University of Bedfordshire"); ``handle`` is
    their Bluesky handle (without ``@``), when the programme or the people file gives one."""

    name: str
    affiliation: str | None = None
    handle: str | None = None


@dataclass
class Talk:
    """One programme item: a talk, keynote or panel (``kind="talk"``), or a break/arrival/lunch
    (``kind="break"``) that gets no posts by default.

    ``id`` is livepost's stable, readable slug (it names ``notes/<id>.md``); importers leave it
    empty and :func:`livepost.model.ids.assign_ids` fills it. ``source_id`` is the item's
    own id in the source file (frab guid, iCalendar UID, CSV ID column), used to recognise the same
    talk when a programme is imported again.
    """

    title: str
    start: datetime
    end: datetime
    room: str | None = None
    speakers: list[Person] = field(default_factory=list)
    kind: TalkKind = "talk"
    track: str | None = None
    abstract: str | None = None
    language: str | None = None
    url: str | None = None
    source_id: str | None = None
    hashtags: list[str] = field(default_factory=list)
    lead_minutes: int | None = None  # announce this long before the start (None: the event's)
    id: str = ""
    withdrawn: bool = False

    @property
    def day(self) -> date:
        """The calendar date of the start, in the start's own offset."""
        return self.start.date()


@dataclass
class Schedule:
    """What an importer read from one file."""

    talks: list[Talk]
    title: str | None = None
    timezone: str | None = None  # an IANA zone name, when the source states one
    format: str = ""
    source: str = ""
    notes: list[str] = field(default_factory=list)  # what the importer wants the user to know
