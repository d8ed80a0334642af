"""``livepost people list|set|check``: speakers' Bluesky handles."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from livepost.cli.state import CliState
from livepost.errors import ExitCode, NetworkError

app = typer.Typer(
    help="Speakers' Bluesky handles (the people file, people.toml, wins over the programme).",
    no_args_is_help=True,
)


@app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the people as JSON.")] = False,
) -> None:
    """Every speaker with their handle and where it comes from (people file or programme)."""
    state: CliState = ctx.obj
    people = state.app().people.speakers()
    if as_json:
        typer.echo(json.dumps([p.to_json() for p in people], indent=2, ensure_ascii=False))
        return
    if not people:
        typer.echo("No speakers yet. Import the programme: livepost schedule import")
        return
    width = max(len(p.name) for p in people)
    for person in people:
        handle = f"@{person.handle}" if person.handle else "-"
        source = f"  ({person.source})" if person.source else ""
        typer.echo(f"{person.name:<{width}}  {handle}{source}")


@app.command("set")
def set_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The speaker's name as in the programme.")],
    handle: Annotated[str, typer.Argument(help="Their Bluesky handle (with or without '@').")],
) -> None:
    """Give a speaker a Bluesky handle in the people file (kept across re-imports)."""
    state: CliState = ctx.obj
    settings = state.settings()
    clean, matched = state.app().people.set(name, handle)
    where = (
        f"{matched} speaker(s) in the programme" if matched else "no speaker in the programme yet"
    )
    typer.echo(f"{name} = @{clean} in {settings.people_path.name} ({where}).")


@app.command("check")
def check_command(ctx: typer.Context) -> None:
    """Resolve every handle on the Bluesky service and show which resolve (exit 6 when the
    service cannot be reached)."""
    state: CliState = ctx.obj
    settings = state.settings()
    directory = state.app().people
    people = [p for p in directory.speakers() if p.handle]
    if not people:
        typer.echo("No speaker has a handle. Add one: livepost people set NAME HANDLE")
        return
    found = directory.check([p.handle for p in people if p.handle])
    if found.problem:
        raise NetworkError(found.problem, hint="Check the network connection and LIVEPOST_SERVICE.")
    width = max(len(p.name) for p in people)
    for person in people:
        assert person.handle is not None
        did = found.resolved.get(person.handle)
        verdict = did if did else "DOES NOT RESOLVE"
        typer.echo(f"{person.name:<{width}}  @{person.handle:<30}  {verdict}")
    bad = len(found.unresolved)
    typer.echo(
        f"{len(people) - bad} of {len(people)} handles resolve on {settings.service}"
        + (f"; {bad} do not: fix them with livepost people set NAME HANDLE" if bad else ".")
    )
    if bad:
        raise typer.Exit(int(ExitCode.INPUT))
