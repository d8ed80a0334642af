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
    from livepost.notes import check_notes, load_notes
    from livepost.schedule.current import current_talks

    state: CliState = ctx.obj
    settings = state.settings()
    talks = current_talks(settings, state.engine())
    tag_room = sum(len(f" #{tag}") for tag in settings.event.hashtags[:1])
    problems = check_notes(settings.notes_dir, {t.id for t in talks}, max_graphemes=300 - tag_room)
    for problem in problems:
        typer.echo(str(problem))
    from livepost.cards.for_event import card_font_problems

    for warning in card_font_problems(settings, talks):  # the machine's fonts, not the notes
        typer.echo(f"warning: {warning}")
    snippets = load_notes(settings.notes_dir) if settings.notes_dir.is_dir() else {}
    count = sum(len(s) for s in snippets.values())
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {settings.notes_dir}.", err=True)
        raise typer.Exit(int(ExitCode.INPUT))
    typer.echo(f"Notes OK: {count} snippets in {len(snippets)} files.")
