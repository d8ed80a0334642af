"""``livepost login`` and ``livepost logout``: the Bluesky session of the event folder."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from livepost.cli.state import CliState


def login_command(
    ctx: typer.Context,
    handle: Annotated[
        str | None,
        typer.Option(
            "--handle",
            help="Account handle (default: $LIVEPOST_HANDLE or [bluesky] handle; else asked).",
            show_default=False,
        ),
    ] = None,
    code: Annotated[
        str | None,
        typer.Option(
            "--code",
            envvar="LIVEPOST_AUTH_CODE",
            help="The sign-in code Bluesky e-mailed (accounts with two-factor sign-in by e-mail; "
            "asked for in a terminal).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Log in to Bluesky once and keep the session in the event folder (reused by every run)."""
    from livepost.app.session import login_account

    state: CliState = ctx.obj
    settings = state.settings()
    account = handle or settings.handle or typer.prompt("Bluesky handle")
    password = settings.app_password
    if not password or (handle and handle != settings.handle):
        password = typer.prompt(f"App password for {account}", hide_input=True)
    account = account.lstrip("@")
    code = code.strip() if code and code.strip() else None

    def ask_code() -> str:
        return str(typer.prompt(f"A sign-in code was e-mailed to the address of {account}. Code"))

    stored = login_account(
        settings, account, password, code=code, ask_code=ask_code if sys.stdin.isatty() else None
    )
    typer.echo(f"Logged in as {stored.handle} ({stored.did}) on {stored.service}.")
    typer.echo(f"The session is kept in {settings.event_dir / '.livepost-session'} (owner only).")


def logout_command(ctx: typer.Context) -> None:
    """Revoke the stored Bluesky session and delete it from the event folder."""
    from livepost.app.session import logout_account

    state: CliState = ctx.obj
    status = logout_account(state.settings())
    if status.handle:
        typer.echo(f"Logged out {status.handle} from {status.service}; the session file is gone.")
    else:
        typer.echo("Not logged in: nothing to do.")
