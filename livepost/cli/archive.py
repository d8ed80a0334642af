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
    from livepost.archive.sync import PARTS, ClientReader, sync
    from livepost.bluesky.session import open_client
    from livepost.store.engine import session_scope
    from livepost.store.talks import ensure_event

    state: CliState = ctx.obj
    settings = state.settings()
    engine = state.engine()
    with session_scope(engine) as session:
        ensure_event(session, settings.event_key, settings.event.name, settings.event.timezone)
    reader = ClientReader(open_client(settings))
    parts = [p for p in PARTS if not (no_hashtags and p == "hashtags")]
    with _progress_bar() as progress:
        report = sync(
            engine,
            settings.event_key,
            reader,
            hashtags=settings.event.hashtags,
            config=settings.archive,
            parts=parts,
            progress=progress,
        )
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
    from livepost.export import export
    from livepost.store.engine import session_scope
    from livepost.store.talks import ensure_event

    state: CliState = ctx.obj
    settings = state.settings()
    engine = state.engine()
    with session_scope(engine) as session:
        ensure_event(session, settings.event_key, settings.event.name, settings.event.timezone)
    report = export(
        engine,
        settings.event_key,
        fmt,
        out,
        hashtags=settings.event.hashtags,
        talk_id=talk,
        our_handle=settings.handle,
        template_dirs=settings.template_dirs,
    )
    typer.echo(
        f"{out}: {len(report.posts)} posts of ours, {len(report.community)} community posts, "
        f"{len(report.talks)} talks ({fmt})."
    )
