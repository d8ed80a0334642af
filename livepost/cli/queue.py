"""``livepost queue ...`` (posts by hand, from any terminal, while the daemon runs) and
``livepost status``.

``livepost queue "text"`` is short for ``livepost queue add "text"``: a first word that is not a
subcommand is taken as the text of a post to add.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from livepost.cli.state import CliState


class _DefaultToAdd(TyperGroup):
    """``queue TEXT ...`` means ``queue add TEXT ...``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["add", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultToAdd,
    help='Queue, list, edit and cancel posts; pause and resume sending. `livepost queue "text"` '
    'is short for `livepost queue add "text"`.',
    no_args_is_help=True,
)


@app.command("add")
def add_command(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The post's text ('-' reads standard input).")],
    talk_id: Annotated[
        str | None,
        typer.Option("--talk", help="Post in this talk's thread (a reply to its announcement)."),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="When: now (default), +10m, 14:05, or 'YYYY-MM-DD HH:MM'."),
    ] = None,
    image: Annotated[
        list[Path] | None, typer.Option("--image", help="Attach an image (up to 4; repeat).")
    ] = None,
    alt: Annotated[
        list[str] | None,
        typer.Option("--alt", help="Alt text for each --image, in the same order (required)."),
    ] = None,
) -> None:
    """Queue a post (a thread if it is too long for one)."""
    import sys

    from livepost.app.queue import Attachment, PostRequest
    from livepost.errors import InputError
    from livepost.times import parse_at

    state: CliState = ctx.obj
    settings = state.settings()
    images, alts = image or [], alt or []
    if len(alts) < len(images):
        raise InputError(
            "--alt",
            f"{images[len(alts)].name} has no alt text",
            hint='Give --alt "what it shows" after each --image: without it, people using '
            "screen readers get nothing from the image.",
        )
    if len(alts) != len(images):
        raise InputError(
            "--alt",
            f"{len(images)} image(s) but {len(alts)} alt text(s)",
            hint="Give one --alt after each --image, describing what it shows.",
        )
    body = sys.stdin.read() if text == "-" else text
    app = state.app()
    when = parse_at(at, app.clock(), settings.zone)
    queued = app.queue.queue(
        PostRequest(
            body,
            talk_id=talk_id,
            due_at=when,
            images=[Attachment(p, a) for p, a in zip(images, alts, strict=True)],
        )
    )
    local = when.astimezone(settings.zone)
    where = f", replying to {queued.parent_key}" if queued.parent_key else ""
    parts = f" ({len(queued.ids)} parts)" if len(queued.ids) > 1 else ""
    typer.echo(f"Queued post {queued.ids[0]}{parts} for {local:%Y-%m-%d %H:%M:%S}{where}.")


@app.command("list")
def list_command(
    ctx: typer.Context,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also posts already sent and cancelled.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the posts as JSON.")] = False,
) -> None:
    """The posts still to send (queued, failed, missed), in the order they are due."""
    from livepost.model.posts import PENDING

    state: CliState = ctx.obj
    rows, paused = state.reader().posts(None if show_all else PENDING)
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if paused:
        typer.echo("PAUSED: nothing is sent until `livepost queue resume`.")
    if not rows:
        typer.echo("Nothing queued.")
    for row in rows:
        typer.echo(_line(row))


def _line(row: dict[str, Any]) -> str:
    from livepost.model.actors import identity_label
    from livepost.model.posts import PostState

    text = " ".join(str(row["text"]).split())
    if len(text) > 60:
        text = text[:59] + "…"
    when = str(row["at"])[:16].replace("T", " ")
    state = PostState(row["state"])
    error = f"  ({row['error']})" if row["error"] and state != PostState.POSTED else ""
    who = [
        f"{label} {identity_label(row.get(name + '_id'), row.get(name))}"
        for label, name in (
            ("by", "author"),
            ("edited by", "edited_by"),
            ("cancelled by", "cancelled_by"),
        )
        if row.get(name) or row.get(name + "_id")
    ]
    people = f"  [{'; '.join(who)}]" if who else ""
    return f"#{row['id']:<5} {when}  {state.value:<9} {row['key']}: {text}{error}{people}"


@app.command("edit")
def edit_command(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post's id (see: livepost queue list).")],
    text: Annotated[
        str | None, typer.Option("--text", help="New text (hashtags are added again).")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="New time: now, +10m, 14:05 or 'YYYY-MM-DD HH:MM'.")
    ] = None,
) -> None:
    """Change a post not sent yet; re-planning keeps your change. A failed or missed post given a
    new time is queued again."""
    from livepost.times import parse_at

    state: CliState = ctx.obj
    settings = state.settings()
    app = state.app()
    due = parse_at(at, app.clock(), settings.zone) if at is not None else None
    changed = app.queue.edit(post_id, text=text, due_at=due)
    local = changed.due_at.astimezone(settings.zone)
    typer.echo(f"Post {changed.id} ({changed.state.value}) goes out at {local:%Y-%m-%d %H:%M:%S}.")


@app.command("cancel")
def cancel_command(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The post's id (see: livepost queue list).")],
) -> None:
    """Cancel a post not sent yet, and the unsent replies under it."""

    state: CliState = ctx.obj
    for item in state.app().queue.cancel(post_id):
        typer.echo(f"Cancelled post {item.id} ({item.key}).")


@app.command("retry")
def retry_command(
    ctx: typer.Context,
    post_id: Annotated[int, typer.Argument(help="The id of a failed or missed post.")],
) -> None:
    """Queue a failed or missed post again, to go out now."""

    state: CliState = ctx.obj
    changed = state.app().queue.retry(post_id)
    typer.echo(f"Post {changed.id} ({changed.key}) is queued again.")


def _set_paused(ctx: typer.Context, paused: bool) -> None:

    state: CliState = ctx.obj
    state.app().queue.set_paused(paused)


@app.command("pause")
def pause_command(ctx: typer.Context) -> None:
    """Stop sending for the whole event (the daemon keeps running and planning)."""
    _set_paused(ctx, True)
    typer.echo("Paused: nothing is sent until `livepost queue resume`.")


@app.command("resume")
def resume_command(ctx: typer.Context) -> None:
    """Send again after `queue pause` (posts now too late are marked missed, not sent)."""
    _set_paused(ctx, False)
    typer.echo("Resumed.")


def status_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """What is next, what went out, what failed and why, and who is logged in where."""
    state: CliState = ctx.obj
    status = state.reader().status()
    if as_json:
        typer.echo(json.dumps(status.to_json(), indent=2, ensure_ascii=False))
        return
    for line in status.lines():
        typer.echo(line)
