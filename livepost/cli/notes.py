"""``livepost notes check``."""

from __future__ import annotations

import typer

from livepost.cli.state import CliState
from livepost.errors import ExitCode

app = typer.Typer(help="Check the note taker's snippet files.", no_args_is_help=True)


@app.command("check")
def check_command(ctx: typer.Context) -> None:
    """Report unknown talk ids, images missing, outside the event folder or undecodable, images
    without alt text, snippets to split; warn about talk card text no installed font can draw."""
    from livepost.app.notes_check import check_event_notes

    state: CliState = ctx.obj
    found = check_event_notes(state.app())
    for problem in found.problems:
        typer.echo(problem)
    for warning in found.warnings:  # the machine's fonts, not the notes
        typer.echo(f"warning: {warning}")
    if found.problems:
        typer.echo(f"{len(found.problems)} problem(s) in {state.settings().notes_dir}.", err=True)
        raise typer.Exit(int(ExitCode.INPUT))
    typer.echo(f"Notes OK: {found.snippets} snippets in {found.files} files.")
