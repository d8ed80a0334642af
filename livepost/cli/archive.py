"""``livepost archive sync`` and ``livepost export``: read engagement and the hashtag into the
archive, and write the archive out as a report."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from livepost.cli.state import CliState

app = typer.Typer(
    help="The engagement archive: counts of our posts, replies, the community's hashtag posts.",
    no_args_is_help=True,
)


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal (stderr); nothing when output is piped or logged."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "Reading counts",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("counts", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


@app.command("sync")
def sync_command(
    ctx: typer.Context,
    no_hashtags: Annotated[
        bool, typer.Option("--no-hashtags", help="Skip the search for the event's hashtags.")
    ] = False,
) -> None:
    """Archive new posts under the hashtags, replies to our threads and every post's counts.

    Safe to interrupt: what was read is kept, and the next run carries on from there.
    """
    state: CliState = ctx.obj
    archive = state.app().archive
    with _progress_bar() as progress:
        report = archive.sync(hashtags=not no_hashtags, progress=progress)
    typer.echo(
        f"{report.posts_read} posts of ours read, {report.snapshots} count snapshots saved "
        f"({report.get_posts_calls} getPosts calls)."
    )
    typer.echo(
        f"{report.new_community} new posts under the hashtags, "
        f"{report.new_replies} new replies to our threads."
    )
    if report.deleted:
        typer.echo(
            f"{report.deleted} community posts are gone from Bluesky: removed from the archive."
        )
    if report.missing:
        typer.echo(
            f"{len(report.missing)} of our posts are no longer on Bluesky (deleted?): "
            + ", ".join(report.missing[:5])
            + (" ..." if len(report.missing) > 5 else ""),
            err=True,
        )


def export_command(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="csv, json, md or html.", show_default=False),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The file to write.", show_default=False)
    ],
    talk: Annotated[
        str | None,
        typer.Option(
            "--talk", help="Only this talk (see `livepost schedule show`).", show_default=False
        ),
    ] = None,
) -> None:
    """Write the archive as a report: per talk, the community's posts, top posts, a timeline."""
    state: CliState = ctx.obj
    done = state.app().archive.export(fmt, out, talk_id=talk)
    typer.echo(
        f"{out}: {done.posts} posts of ours, {done.community} community posts, "
        f"{done.talks} talks ({fmt})."
    )
