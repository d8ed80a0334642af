"""Speakers' Bluesky handles: the syntax of a handle, and the event's people file.

``people.toml`` in the event folder maps a speaker's name, as the programme writes it, to their
handle. It wins over the programme (an organiser's export may carry an old or wrong handle), and
it survives re-imports. Names match ignoring case and runs of spaces.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from pathlib import Path

from livepost.errors import InputError
from livepost.model import Person, Schedule

_HANDLE = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
_PROFILE_PREFIXES = ("https://bsky.app/profile/", "http://bsky.app/profile/", "bsky.app/profile/")
HEADER = (
    "# Speakers' Bluesky handles: name as in the programme = handle.\n"
    "# Wins over the programme; managed with `livepost people set NAME HANDLE`.\n"
)


def normalize_handle(value: str) -> str | None:
    """``@Jo.bsky.social``, ``https://bsky.app/profile/jo.bsky.social`` -> ``jo.bsky.social``;
    None when the text is no handle (a DID, a name, an empty cell)."""
    text = value.strip()
    for prefix in _PROFILE_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    text = text.strip().strip("/").lstrip("@").lower()
    if len(text) > 253 or not _HANDLE.fullmatch(text):
        return None
    return text


def name_key(name: str) -> str:
    """How a name is compared: case and spacing do not matter."""
    return " ".join(name.split()).casefold()


def read_people(path: Path) -> dict[str, str]:
    """The people file as name -> handle (empty when there is none)."""
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, str(exc), hint="Fix the TOML syntax at that line.") from None
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text", hint="Save it as UTF-8.") from None
    people: dict[str, str] = {}
    for name, value in raw.items():
        handle = normalize_handle(value) if isinstance(value, str) else None
        if handle is None:
            raise InputError(
                path,
                f"{value!r} is not a Bluesky handle",
                field=name,
                hint='Write name = "handle", e.g. "Dr Jo Mockeridge" = "jo.bsky.social".',
            )
        people[name] = handle
    return people


def write_people(path: Path, people: dict[str, str]) -> None:
    """Write the people file, sorted by name (JSON strings are valid TOML basic strings)."""
    lines = [
        f"{json.dumps(name, ensure_ascii=False)} = {json.dumps(handle)}\n"
        for name, handle in sorted(people.items(), key=lambda item: name_key(item[0]))
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")


def apply_people(schedule: Schedule, people: dict[str, str]) -> None:
    """Give every speaker the people file's handle for their name (in place); the others keep
    the handle the programme gave, normalised."""
    by_key = {name_key(name): handle for name, handle in people.items()}
    for talk in schedule.talks:
        talk.speakers = [_with_handle(p, by_key) for p in talk.speakers]


def _with_handle(person: Person, by_key: dict[str, str]) -> Person:
    handle = by_key.get(name_key(person.name))
    if handle is None and person.handle:
        handle = normalize_handle(person.handle)
    return person if handle == person.handle else dataclasses.replace(person, handle=handle)
