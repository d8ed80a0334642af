"""livepost's own programme format (YAML), and a writer that converts any Schedule into it.

Validation is pydantic's (``extra="forbid"``), so a mistake is reported as a dotted path such as
``schedule.yaml: talks.3.start: Field required``. The format is documented in docs/formats.md.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    PlainValidator,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from livepost.errors import ScheduleError
from livepost.model import Person, Schedule, Talk, TalkKind
from livepost.schedule.common import ImportContext, parse_clock, parse_duration
from livepost.schedule.fields import is_break_title

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HINT = "See docs/formats.md for livepost's YAML schedule format."


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that keeps ``10:15`` a string: YAML 1.1 would read it as the base-60
    integer 615, turning an unquoted start time into nonsense."""


def _int_or_clock(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if ":" in str(node.value):
        return str(node.value)
    return loader.construct_yaml_int(node)


def _float_or_clock(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if ":" in str(node.value):
        return str(node.value)
    return loader.construct_yaml_float(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_clock)
_Loader.add_constructor("tag:yaml.org,2002:float", _float_or_clock)
# Dates and times stay text here: the models check them and name the field of a bad one
# (``date: 2026-02-30``) instead of the YAML parser failing without saying where.
_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


def _when(value: object) -> time | datetime:
    """``"10:15"`` (a clock time, date from elsewhere) or a full ISO 8601 datetime."""
    if isinstance(value, datetime | time):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(
                'use a time like "10:15" or an ISO 8601 datetime like 2026-06-18T10:15+01:00'
            )
        if re.match(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{text!r} is not an ISO 8601 datetime") from None
        return parse_clock(text)
    raise ValueError('use a time like "10:15" or an ISO 8601 datetime like 2026-06-18T10:15+01:00')


def _duration(value: object) -> timedelta:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return parse_duration(value)
    raise ValueError("use minutes (30) or H:MM (0:30)")


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a slug (use a-z, 0-9 and '-', e.g. red-flags-police-misconduct)"
        )
    return value


def _tag(value: str) -> str:
    tag = value.strip().removeprefix("#")
    if not re.fullmatch(r"\w+", tag):
        raise ValueError(f"{value!r} is not a hashtag (letters, digits and _ only)")
    return tag


def _handle(value: object) -> str:
    from livepost.people import normalize_handle

    handle = normalize_handle(str(value))
    if handle is None:
        raise ValueError(f"{value!r} is not a Bluesky handle (like jo.bsky.social)")
    return handle


def _speaker(value: object) -> object:
    return {"name": value} if isinstance(value, str) else value


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_When = Annotated[time | datetime, PlainValidator(_when)]
_Duration = Annotated[timedelta, PlainValidator(_duration)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class SpeakerModel(_Model):
    """A speaker; in the file also a plain string (the name)."""

    name: _Text
    affiliation: _Text | None = None
    handle: Annotated[str, PlainValidator(_handle)] | None = None


class TalkModel(_Model):
    """One entry of ``talks:``."""

    id: Annotated[str, PlainValidator(lambda v: _slug(str(v)))] | None = None
    title: _Text
    date: dt.date | None = None
    start: _When
    end: _When | None = None
    duration: _Duration | None = None
    room: _Text | None = None
    track: _Text | None = None
    kind: Literal["talk", "break"] | None = None  # None: a break title without speakers
    speakers: list[Annotated[SpeakerModel, BeforeValidator(_speaker)]] = Field(default_factory=list)
    hashtags: list[Annotated[str, PlainValidator(lambda v: _tag(str(v)))]] = Field(
        default_factory=list
    )
    abstract: str | None = None
    language: _Text | None = None
    url: _Text | None = None
    source_id: _Text | None = None
    lead_minutes: NonNegativeInt | None = None  # this talk's announcement lead time

    @model_validator(mode="after")
    def _one_end(self) -> TalkModel:
        if self.end is not None and self.duration is not None:
            raise ValueError("give either end or duration, not both")
        if self.end is None and self.duration is None:
            raise ValueError("needs an end time or a duration")
        return self


class ScheduleModel(_Model):
    """The whole file."""

    title: _Text | None = None
    timezone: _Text | None = None
    date: dt.date | None = None
    talks: list[TalkModel] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and _zone_or_none(value) is None:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/London)")
        return value


def _zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse(text: str, ctx: ImportContext) -> Schedule:
    """Read livepost's YAML format."""
    data = _load(text, ctx)
    try:
        model = ScheduleModel.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, ctx) from None
    zone = _zone_or_none(model.timezone) if model.timezone else ctx.timezone
    assert zone is not None  # checked by the model
    talks = [_talk(i, item, model.date, zone, ctx) for i, item in enumerate(model.talks)]
    return Schedule(talks=talks, title=model.title, timezone=model.timezone)


def _load(text: str, ctx: ImportContext) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScheduleError(
            ctx.path,
            f"is not valid YAML ({problem})",
            line=mark.line + 1 if mark is not None else None,
            hint="Check the indentation and quote values that contain ': ' or start with '#'.",
        ) from None
    except RecursionError:
        raise ScheduleError(
            ctx.path,
            "is nested too deeply to be a programme (thousands of levels)",
            hint="Check that this is the programme file, not another file.",
        ) from None
    if data is None:
        raise ScheduleError(ctx.path, "the file is empty", hint=_HINT)
    if not isinstance(data, dict):
        raise ScheduleError(
            ctx.path, "the top level must be a mapping with a 'talks:' list", hint=_HINT
        )
    return data


def _validation_error(exc: ValidationError, ctx: ImportContext) -> ScheduleError:
    """The first problem as ``path: dotted.field: message``; a few more in the hint."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        problems.append((where, error["msg"].removeprefix("Value error, ")))
    (where, message), rest = problems[0], problems[1:6]
    hint = "\n".join(f"Also {w or 'top level'}: {m}" for w, m in rest) or None
    return ScheduleError(ctx.path, message, field=where or None, hint=hint)


def _talk(
    index: int, item: TalkModel, default_day: date | None, zone: ZoneInfo, ctx: ImportContext
) -> Talk:
    where = f"talks.{index}"
    if isinstance(item.start, datetime):
        start = item.start if item.start.tzinfo else item.start.replace(tzinfo=zone)
    else:
        day = item.date or default_day or ctx.date
        if day is None:
            raise ScheduleError(
                ctx.path,
                "no date for this talk: add 'date: YYYY-MM-DD' to it or at the top, or pass --date",
                field=f"{where}.date",
            )
        start = datetime.combine(day, item.start, tzinfo=zone)
    try:
        if isinstance(item.end, datetime):
            end = item.end if item.end.tzinfo else item.end.replace(tzinfo=zone)
        elif item.end is not None:
            end = _end_from_clock(start, item.end)
        else:
            assert item.duration is not None  # the model requires one of them
            end = start + item.duration
    except OverflowError:
        raise ScheduleError(ctx.path, "is out of range", field=f"{where}.duration") from None
    return Talk(
        title=item.title,
        start=start,
        end=end,
        room=item.room,
        speakers=[Person(s.name, s.affiliation, s.handle) for s in item.speakers],
        kind=item.kind or _implied_kind(item.title, bool(item.speakers)),
        track=item.track,
        abstract=item.abstract.strip() if item.abstract and item.abstract.strip() else None,
        language=item.language,
        url=item.url,
        source_id=item.source_id,
        hashtags=list(item.hashtags),
        lead_minutes=item.lead_minutes,
        id=item.id or "",
    )


def _end_from_clock(start: datetime, clock: time) -> datetime:
    """The end on the start's day; a clock earlier than the start means the next day."""
    end = datetime.combine(start.date(), clock, tzinfo=start.tzinfo)
    return end if end >= start else end + timedelta(days=1)


# --- writing -------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Multi-line text as ``|`` blocks, so abstracts stay readable."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(schedule: Schedule, timezone: ZoneInfo | None = None) -> str:
    """Write ``schedule`` in livepost's YAML format (parsing the result gives the same talks).

    Times are written as local ``HH:MM`` in ``timezone`` (default: the schedule's own zone) when
    that is exact, otherwise as ISO 8601 datetimes with their offset.
    """
    zone = timezone or (_zone_or_none(schedule.timezone) if schedule.timezone else None)
    rows = [_local(talk, zone) for talk in schedule.talks]
    days = {row["date"] for row in rows if "date" in row}
    shared_day = next(iter(days)) if len(days) == 1 and all("date" in r for r in rows) else None
    doc: dict[str, Any] = {}
    if schedule.title:
        doc["title"] = schedule.title
    if zone is not None:
        doc["timezone"] = zone.key
    if shared_day is not None:
        doc["date"] = shared_day
        for row in rows:
            del row["date"]
    doc["talks"] = [_entry(talk, row) for talk, row in zip(schedule.talks, rows, strict=True)]
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _local(talk: Talk, zone: ZoneInfo | None) -> dict[str, Any]:
    """``date``/``start``/``end``-or-``duration`` for one talk, each in the exact simplest form."""
    if zone is not None:
        local = talk.start.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        rebuilt = datetime.combine(local.date(), clock, tzinfo=zone)
        if local.second == local.microsecond == 0 and rebuilt.timestamp() == talk.start.timestamp():
            row: dict[str, Any] = {"date": local.date(), "start": clock.strftime("%H:%M")}
            end_local = talk.end.astimezone(zone)
            end_clock = end_local.time().replace(tzinfo=None)
            if (
                end_local.second == end_local.microsecond == 0
                and _end_from_clock(rebuilt, end_clock).timestamp() == talk.end.timestamp()
            ):
                row["end"] = end_clock.strftime("%H:%M")
            else:
                row.update(_duration_or_end(talk))
            return row
    return {"start": talk.start.isoformat(), **_duration_or_end(talk)}


def _duration_or_end(talk: Talk) -> dict[str, Any]:
    length = talk.end - talk.start
    if length.total_seconds() % 60 == 0:
        return {"duration": int(length.total_seconds() // 60)}
    return {"end": talk.end.isoformat()}


def _entry(talk: Talk, row: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if talk.id:
        entry["id"] = talk.id
    entry["title"] = talk.title
    entry.update(row)
    optional: dict[str, Any] = {
        "room": talk.room,
        "track": talk.track,
        "kind": talk.kind if talk.kind != _implied_kind(talk.title, bool(talk.speakers)) else None,
        "speakers": [
            {
                key: value
                for key, value in (
                    ("name", p.name),
                    ("affiliation", p.affiliation),
                    ("handle", p.handle),
                )
                if value
            }
            if p.affiliation or p.handle
            else p.name
            for p in talk.speakers
        ],
        "hashtags": list(talk.hashtags),
        "language": talk.language,
        "url": talk.url,
        "source_id": talk.source_id,
        "abstract": talk.abstract,
    }
    entry.update({key: value for key, value in optional.items() if value})
    if talk.lead_minutes is not None:  # 0 is a meaningful value
        entry["lead_minutes"] = talk.lead_minutes
    return entry


def _implied_kind(title: str, has_speakers: bool) -> TalkKind:
    """Without ``kind:``, a break title ("Lunch") without speakers is a break."""
    return "break" if not has_speakers and is_break_title(title) else "talk"
