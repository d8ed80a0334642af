"""``livepost schedule import|show``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from livepost.cli.state import CliState
from livepost.model import Talk

app = typer.Typer(help="Import and show the event's programme.", no_args_is_help=True)

FORMAT_CHOICES = (
    "auto|yaml|csv|xlsx|ics|frab-json|frab-xml|indico|sessionize|pretalx-api|hoverboard|text"
)


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(
            help="Programme file or http(s) URL. Default: the event's `schedule` setting.",
            show_default=False,
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
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            help='Spreadsheet column for a field, overriding the guess: title="Paper title" '
            "(repeatable).",
            show_default=False,
        ),
    ] = None,
    allow_withdraw: Annotated[
        bool,
        typer.Option(
            "--allow-withdraw",
            help="Let this import withdraw more than half of the talks (otherwise it stops).",
        ),
    ] = False,
) -> None:
    """Read a programme into the event. Re-importing is safe: ids stay, changes are reported;
    a file of some days leaves the other days alone."""
    from livepost.config import is_url

    state: CliState = ctx.obj
    settings = state.settings()
    source: str | Path | None = None
    if file is not None:
        source = file if is_url(file) else Path(file)
    done = state.app().programme.import_(
        source,
        format_name=format_name,
        day=_parse_day(day) if day else None,
        columns=_parse_columns(column or []),
        allow_withdraw=allow_withdraw,
    )
    if done.not_modified:
        typer.echo(f"{done.source} has not changed since the last import: nothing to do.")
        return
    zone = settings.zone
    typer.echo(
        f"Imported {done.talks} item{'' if done.talks == 1 else 's'} "
        f"from {done.source} ({done.format}): "
        f"{len(done.added)} added, {len(done.changed)} changed, "
        f"{len(done.withdrawn)} withdrawn, {done.unchanged} unchanged."
    )
    for note in done.notes:
        typer.echo(f"  {note}")
    for talk in done.added:
        typer.echo(f"  + {talk.id}  {talk.start.astimezone(zone):%a %d %b %H:%M}  {talk.title}")
    for talk, phrases in done.changed:
        typer.echo(f"  ~ {talk.id}  {'; '.join(phrases)}")
    for talk in done.withdrawn:
        typer.echo(f"  - {talk.id}  withdrawn: {talk.title}")


def _parse_columns(values: list[str]) -> dict[str, str]:
    """``title="Paper title"`` -> ``{"title": "Paper title"}``."""
    columns: dict[str, str] = {}
    for value in values:
        field, sep, header = value.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise typer.BadParameter(
                f'{value!r} is not FIELD=HEADER (e.g. title="Paper title")', param_hint="--column"
            )
        columns[field.strip().casefold()] = header.strip().strip("\"'")
    return columns


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
    state: CliState = ctx.obj
    zone = state.settings().zone
    talks = state.app().programme.talks(
        include_withdrawn=include_withdrawn, day=_parse_day(day) if day else None
    )
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
