"""pretalx's REST API (``/api/events/<event>/submissions/`` or ``/talks/``) -> Schedule.

A page is ``{"count", "next", "previous", "results": [...]}`` (a saved list of results works too).
Each submission is keyed by its ``code`` (the talk's source id) and placed by its ``slot`` (older
API) or ``slots`` (API v1 with ``?expand=slots,slots.room,speakers,track,submission_type``).
Texts may be translated objects (``{"en": "Room 1"}``); the English one wins, else the first.
Submissions that are not accepted or confirmed, and those without a scheduled slot, are skipped;
speakers given only as codes (no ``expand=speakers``) cannot be named and are left out, with a
note. A submission with several slots becomes one talk per slot (``CODE``, ``CODE-2`` ...).
"""

from __future__ import annotations

from typing import Any

from livepost.model import Person, Schedule, Talk
from livepost.schedule.common import ImportContext, clean
from livepost.schedule.fields import clean_block, guess_kind, optional_text
from livepost.schedule.frab_json import load_json
from livepost.schedule.jsonread import JsonReader, localized

_HINT = (
    "Save the API answer again, e.g. /api/events/EVENT/submissions/?expand=slots,slots.room,"
    "speakers,track,submission_type (each page of results, or ?limit=1000)."
)
_SKIPPED_STATES = frozenset(
    {"submitted", "rejected", "withdrawn", "canceled", "cancelled", "deleted"}
)


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read one page (or a list) of pretalx submissions or talks."""
    data = load_json(text, ctx.path)
    reader = JsonReader(ctx, _HINT)
    if isinstance(data, dict):
        results = reader.items(data.get("results"), "results")
        prefix = "results."
    else:
        results = reader.items(data, "(top level)")
        prefix = ""
    talks: list[Talk] = []
    unscheduled = 0
    unnamed = False
    for i, raw in enumerate(results):
        path = f"{prefix}{i}"
        submission = reader.mapping(raw, path)
        code = clean(submission.get("code"))
        if not code:
            raise reader.error(f"{path}.code", "is missing (every submission has a code)")
        if clean(submission.get("state")).casefold() in _SKIPPED_STATES:
            continue
        speakers, codes_only = _speakers(submission.get("speakers"), f"{path}.speakers", reader)
        unnamed = unnamed or codes_only
        slots = _slots(submission, path, reader)
        if not slots:
            unscheduled += 1
        for n, (slot_path, slot) in enumerate(slots, start=1):
            talks.append(_talk(submission, code, n, slot, slot_path, speakers, reader))
    notes = []
    if unscheduled:
        notes.append(f"skipped {unscheduled} submission(s) without a scheduled slot")
    if unnamed:
        notes.append("some speakers are given only as codes: save the API answer with "
                     "?expand=speakers to get their names")  # fmt: skip
    return Schedule(talks=talks, notes=notes)


def _slots(
    submission: dict[str, Any], path: str, reader: JsonReader
) -> list[tuple[str, dict[str, Any]]]:
    """The scheduled slots (with a start) of one submission, with their dotted paths."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(submission.get("slot"), dict):
        found.append((f"{path}.slot", submission["slot"]))
    for k, slot in enumerate(reader.items(submission.get("slots"), f"{path}.slots")):
        if isinstance(slot, dict):
            found.append((f"{path}.slots.{k}", slot))
    return [(p, s) for p, s in found if s.get("start") not in (None, "")]


def _talk(
    submission: dict[str, Any],
    code: str,
    number: int,
    slot: dict[str, Any],
    path: str,
    speakers: list[Person],
    reader: JsonReader,
) -> Talk:
    title = localized(submission.get("title"))
    if not title:
        raise reader.error(path.rsplit(".slot", 1)[0] + ".title", "is missing")
    start = reader.moment(slot.get("start"), f"{path}.start")
    raw_end = slot.get("end")
    end = start if raw_end in (None, "") else reader.moment(raw_end, f"{path}.end")
    room = slot.get("room")
    if isinstance(room, dict) and "name" in room:
        room = room["name"]
    kind = guess_kind(_name(submission.get("submission_type")), title)
    return Talk(
        title=title,
        start=start,
        end=end,
        room=localized(room),
        speakers=speakers,
        kind="break" if kind == "break" and not speakers else "talk",
        track=_name(submission.get("track")),
        abstract=clean_block(localized(submission.get("abstract"))),
        language=optional_text(submission.get("content_locale")),
        source_id=code if number == 1 else f"{code}-{number}",
    )


def _name(value: object) -> str | None:
    """A track or submission type: a string, a translated object, or ``{"id", "name": ...}``."""
    if isinstance(value, dict) and "name" in value:
        return localized(value["name"])
    return localized(value) if isinstance(value, str | dict) else None


def _speakers(value: object, path: str, reader: JsonReader) -> tuple[list[Person], bool]:
    """The named speakers, and whether some were given only as codes."""
    people: list[Person] = []
    codes_only = False
    for raw in reader.items(value, path):
        if not isinstance(raw, dict):
            codes_only = True
            continue
        name = optional_text(raw.get("name")) or optional_text(raw.get("public_name"))
        if name:
            people.append(Person(name))
    return people, codes_only
