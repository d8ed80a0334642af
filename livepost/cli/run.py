"""``livepost run``: the daemon that sends the day's posts on time."""

from __future__ import annotations

from typing import Annotated

import typer

from livepost.cli.state import CliState


def run_command(
    ctx: typer.Context,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Rehearse: send nothing, on a copy of the queue (also the default without an "
            "account).",
        ),
    ] = False,
    once: Annotated[
        bool, typer.Option("--once", help="Send what is due now, mark what is too late, exit.")
    ] = False,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            help="Stop at this time: HH:MM (event time) or 'YYYY-MM-DD HH:MM'.",
            show_default=False,
        ),
    ] = None,
    speed: Annotated[
        float | None,
        typer.Option(
            "--speed",
            help="With --dry-run: replay the event N times faster from just before its first "
            "day, then print a summary.",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="With --speed: start the replay at HH:MM of the first day, or 'YYYY-MM-DD HH:MM'.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Announce talks, thread notes as they are written, send queued posts on time.

    One daemon per event; Ctrl-C or SIGTERM stops it between two posts, and it resumes where it
    left off. Posts more than [plan] grace_minutes late are marked missed, never sent in a burst.
    """
    from livepost.run.assemble import RunRequest, build_daemon

    state: CliState = ctx.obj
    settings = state.settings()
    request = RunRequest(dry_run=dry_run, once=once, until=until, speed=speed, start=start)
    daemon = build_daemon(settings, state.app().engine, request, echo=_echo)
    zone = settings.zone
    now = daemon.clock.now().astimezone(zone)
    mode = "dry run" if daemon.event_key != settings.event_key else "live"
    pace = f", {daemon.clock.speed:g}x" if daemon.clock.speed != 1 else ""
    _echo(
        f"livepost run: {settings.event.name} ({mode}{pace}) from {now:%Y-%m-%d %H:%M} {zone.key}"
    )
    summary = daemon.run()
    for line in summary.lines():
        _echo(line)


def _echo(line: str) -> None:
    typer.echo(line)
