"""``livepost wall ...`` and ``livepost replies ...``: moderate the venue wall and our threads."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from livepost.cli.state import CliState
from livepost.errors import ExitCode

if TYPE_CHECKING:
    from livepost.app.wall import Wall

app = typer.Typer(
    help="The venue wall (/wall in the console): hide or pin posts, block authors, list.",
    no_args_is_help=True,
)
replies_app = typer.Typer(
    help="Replies in our threads: hide one (the thread's threadgate), see pending gate writes.",
    no_args_is_help=True,
)


def _wall(ctx: typer.Context) -> Wall:
    state: CliState = ctx.obj
    return state.app().wall


def _act(ctx: typer.Context, verb: str, target: str, done: str, already: str) -> None:
    changed = _wall(ctx).act(verb, target)
    typer.echo(done if changed else already)


@app.command("hide")
def hide_command(
    ctx: typer.Context, uri: Annotated[str, typer.Argument(help="The post's at:// URI.")]
) -> None:
    """Hide a post from the wall (at once: the wall reads this at every refresh)."""
    _act(ctx, "hide", uri, f"hidden from the wall: {uri}", f"already hidden: {uri}")


@app.command("unhide")
def unhide_command(
    ctx: typer.Context, uri: Annotated[str, typer.Argument(help="The post's at:// URI.")]
) -> None:
    """Show a hidden post on the wall again."""
    _act(ctx, "unhide", uri, f"shown on the wall again: {uri}", f"not hidden: {uri}")


@app.command("pin")
def pin_command(
    ctx: typer.Context, uri: Annotated[str, typer.Argument(help="The post's at:// URI.")]
) -> None:
    """Pin a post at the top of the wall."""
    _act(ctx, "pin", uri, f"pinned: {uri}", f"already pinned: {uri}")


@app.command("unpin")
def unpin_command(
    ctx: typer.Context, uri: Annotated[str, typer.Argument(help="The post's at:// URI.")]
) -> None:
    """Unpin a post."""
    _act(ctx, "unpin", uri, f"unpinned: {uri}", f"not pinned: {uri}")


@app.command("block")
def block_command(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="The author's handle (or DID).")],
) -> None:
    """Never show this author's posts on the wall again."""
    name = handle.strip().lstrip("@").lower()
    _act(ctx, "block", handle, f"blocked on the wall: @{name}", f"already blocked: @{name}")


@app.command("unblock")
def unblock_command(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="The author's handle (or DID).")],
) -> None:
    """Show a blocked author's posts again."""
    name = handle.strip().lstrip("@").lower()
    _act(ctx, "unblock", handle, f"unblocked: @{name}", f"not blocked: @{name}")


@app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    log: Annotated[bool, typer.Option("--log", help="Also print who did what.")] = False,
) -> None:
    """What the wall shows now (pinned first), what is hidden or blocked, and the log."""
    from livepost.app.wall import Wall

    wall = _wall(ctx)
    assert isinstance(wall, Wall)
    posts = wall.posts()
    standing = wall.decisions()
    entries = wall.log() if log or as_json else []
    if as_json:
        data = {
            "posts": [p.to_json() for p in posts],
            "decisions": [
                {
                    "action": d.action,
                    "target": d.target,
                    "did": d.target_did,
                    "by": d.actor,
                    "at": d.created_at.isoformat(),
                }
                for d in standing
            ],
            "log": [
                {"at": e.at.isoformat(), "by": e.actor, "action": e.action, "target": e.target}
                for e in entries
            ],
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    zone = wall.settings.zone
    typer.echo(f"On the wall ({len(posts)}):")
    for p in posts:
        mark = "[pinned] " if p.pinned else ""
        text = " ".join(p.text.split())
        text = text if len(text) <= 70 else text[:69] + "…"
        when = f"{p.created_at.astimezone(zone):%H:%M}"
        typer.echo(f"  {when} {mark}@{p.author_handle}: {text}\n        {p.uri}")
    for action in ("hide", "block", "pin"):
        targets = [d for d in standing if d.action == action]
        if targets:
            label = {"hide": "Hidden", "block": "Blocked authors", "pin": "Pinned"}[action]
            typer.echo(f"{label}:")
            for d in targets:
                typer.echo(f"  {d.target}  (by {d.actor}, {d.created_at.astimezone(zone):%H:%M})")
    if entries:
        typer.echo("Log:")
        for e in entries:
            typer.echo(f"  {e.at.astimezone(zone):%a %H:%M:%S} {e.actor}: {e.action} {e.target}")


@replies_app.command("hide")
def replies_hide_command(
    ctx: typer.Context,
    uri: Annotated[str, typer.Argument(help="The reply's at:// URI (see `livepost wall list`).")],
) -> None:
    """Hide a reply in one of our threads: adds it to the thread's threadgate on Bluesky."""
    from livepost.app.gates import write_gates_now
    from livepost.run.assemble import has_credentials, make_publisher

    state: CliState = ctx.obj
    settings = state.settings()
    app = state.app()
    root = app.replies.hide(uri)
    if not has_credentials(settings):
        typer.echo(f"hidden reply recorded for the thread {root}; `livepost run` writes it.")
        return
    report = write_gates_now(app, lambda: make_publisher(settings))
    if report is None:
        typer.echo("hidden reply recorded; the running `livepost run` writes it within seconds.")
        return
    for line in report.lines():
        typer.echo(line)
    if report.failed:
        raise typer.Exit(int(ExitCode.NETWORK))


@replies_app.command("pending")
def replies_pending_command(ctx: typer.Context) -> None:
    """Threadgates and postgates not written yet (and why); `livepost run` retries them."""
    from livepost.app.gates import pending_gates

    state: CliState = ctx.obj
    pending = pending_gates(state.app())
    if not pending:
        typer.echo("Every threadgate and postgate is written.")
    for what, uri, error in pending:
        typer.echo(f"{what} of {uri}: " + (error or "not tried yet"))
