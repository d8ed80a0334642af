"""``livepost doctor``."""

from __future__ import annotations

from typing import Annotated

import typer

from livepost.cli.state import CliState
from livepost.errors import ExitCode

_MARK = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


def doctor_command(
    ctx: typer.Context,
    offline: Annotated[
        bool, typer.Option("--offline", help="Skip the check that the service is reachable.")
    ] = False,
) -> None:
    """Check settings, database, programme, notes, credentials and the service; say how to fix."""
    from livepost.app.doctor import run_checks

    state: CliState = ctx.obj
    checks = run_checks(state.event_dir, database_url=state.database_url_flag, online=not offline)
    for check in checks:
        typer.echo(f"[{_MARK[check.status]}] {check.name}: {check.detail}")
        if check.fix and check.status != "ok":
            typer.echo(f"       fix: {check.fix}")
    failed = [c for c in checks if c.status == "fail"]
    if failed:
        typer.echo(f"{len(failed)} check(s) failed.", err=True)
        raise typer.Exit(int(ExitCode.CONFIG))
    typer.echo(
        "All checks passed." if all(c.status == "ok" for c in checks) else "Usable, with warnings."
    )
