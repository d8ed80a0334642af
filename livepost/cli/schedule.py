"""``livepost schedule import|show``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from livepost.cli.state import CliState
from livepost.errors import ConfigError
from livepost.model import Talk

app = typer.Typer(help="Import and show the event's programme.", no_args_is_help=True)

FORMAT_CHOICES = "auto|yaml|csv|ics|frab-json|frab-xml|indico|text"


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Programme file. Default: the event's `schedule` setting.", show_default=False
        ),
    ] = None,
    format_name: Annotated[
        str, typer.Option("--format", "-f", help=f"Input format: {FORMAT_CHOICES}.")
    ] = "auto",
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="The day (YYYY-MM-DD) for programmes that give only times (pasted text).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Read a programme into the event. Re-importing is safe: ids stay, changes are reported."""
    from livepost.schedule import load_schedule
    from livepost.store.engine import session_scope
    from livepost.store.talks import ensure_event, save_schedule

    state: CliState = ctx.obj
    settings = state.settings()
    path = file or settings.schedule_path
    if path is None:
        raise ConfigError(
            "no programme file given and livepost.toml has no `schedule` setting",
            hint='Run: livepost schedule import FILE  (or set [event] schedule = "FILE").',
        )
    schedule = load_schedule(
        path,
        timezone=settings.zone,
        format_name=format_name,
        day=_parse_day(day) if day else settings.event.date,
    )
    with session_scope(state.engine()) as session:
        ensure_event(session, settings.event_key, settings.event.name, settings.event.timezone)
        report = save_schedule(session, settings.event_key, schedule)

    zone = settings.zone
    typer.echo(
        f"Imported {len(schedule.talks)} item{'' if len(schedule.talks) == 1 else 's'} "
        f"from {path} ({schedule.format}): "
        f"{len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.withdrawn)} withdrawn, {report.unchanged} unchanged."
    )
    for talk in report.added:
        typer.echo(f"  + {talk.id}  {talk.start.astimezone(zone):%a %d %b %H:%M}  {talk.title}")
    for talk, fields in report.changed:
        typer.echo(f"  ~ {talk.id}  changed: {', '.join(fields)}")
    for talk in report.withdrawn:
        typer.echo(f"  - {talk.id}  withdrawn: {talk.title}")


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD") from None


@app.command("show")
def show_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the talks as JSON.")] = False,
    day: Annotated[
        str | None,
        typer.Option("--day", help="Only this day (YYYY-MM-DD, local time).", show_default=False),
    ] = None,
    include_withdrawn: Annotated[
        bool, typer.Option("--all", help="Include withdrawn talks.")
    ] = False,
) -> None:
    """Show the imported programme in the event's local time."""
    from livepost.store.programme import stored_talks

    state: CliState = ctx.obj
    settings = state.settings()
    zone = settings.zone
    talks = stored_talks(settings, state.engine(), include_withdrawn=include_withdrawn)
    if day:
        wanted = _parse_day(day)
        talks = [t for t in talks if t.start.astimezone(zone).date() == wanted]
    if as_json:
        typer.echo(json.dumps([talk_json(t, zone) for t in talks], indent=2, ensure_ascii=False))
        return
    if not talks:
        typer.echo("No talks imported yet. Run: livepost schedule import FILE")
        return
    from livepost.cli.output import talk_table

    talk_table(talks, zone)


def talk_json(talk: Talk, zone: ZoneInfo) -> dict[str, object]:
    """The stable JSON shape of a talk (documented in the README)."""
    return {
        "id": talk.id,
        "title": talk.title,
        "speakers": [p.name for p in talk.speakers],
        "affiliations": [p.affiliation for p in talk.speakers],
        "room": talk.room,
        "start": talk.start.astimezone(zone).isoformat(),
        "end": talk.end.astimezone(zone).isoformat(),
        "kind": talk.kind,
        "track": talk.track,
        "hashtags": talk.hashtags,
        "withdrawn": talk.withdrawn,
    }
