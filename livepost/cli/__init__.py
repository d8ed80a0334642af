"""The ``livepost`` command line. Commands are thin: parse, call the core, print.

Heavy libraries (atproto, Pillow, SQLAlchemy) are imported inside the commands that need them, so
``livepost --help`` starts fast. :class:`~livepost.errors.LivepostError` is turned into a message
and an exit code here, once (the table is :data:`livepost.cli.errors.EXIT_CODES`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from livepost import __version__
from livepost.cli.state import CliState
from livepost.errors import ExitCode, LivepostError

app = typer.Typer(
    name="livepost",
    help="Cover a conference live on Bluesky: import the programme, announce talks, thread notes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"livepost {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    event: Annotated[
        str | None,
        typer.Option(
            "--event",
            "-e",
            help="Event folder (default: $LIVEPOST_EVENT, else the current folder).",
            show_default=False,
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Database URL (default: $LIVEPOST_DATABASE_URL, else livepost.db in the folder).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Cover a conference live on Bluesky."""
    ctx.obj = CliState(event_flag=event, database_url_flag=database_url)


def _register() -> None:
    from livepost.cli import archive as archive_cli
    from livepost.cli import card, compose, devnet, doctor, init, notes, people, schedule, serve
    from livepost.cli import plan as plan_cli
    from livepost.cli import queue as queue_cli
    from livepost.cli import run as run_cli
    from livepost.cli import session as session_cli
    from livepost.cli import team as team_cli
    from livepost.cli import wall as wall_cli

    app.command("init")(init.init_command)
    app.add_typer(schedule.app, name="schedule")
    app.add_typer(notes.app, name="notes")
    app.add_typer(people.app, name="people")
    app.command("compose")(compose.compose_command)
    app.command("card")(card.card_command)
    app.command("doctor")(doctor.doctor_command)
    app.command("devnet")(devnet.devnet_command)
    app.command("login")(session_cli.login_command)
    app.command("logout")(session_cli.logout_command)
    app.command("serve")(serve.serve_command)
    app.add_typer(team_cli.app, name="team")
    app.command("run")(run_cli.run_command)
    app.command("plan")(plan_cli.plan_command)
    app.command("preview")(plan_cli.preview_command)
    app.add_typer(queue_cli.app, name="queue")
    app.command("status")(queue_cli.status_command)
    app.add_typer(archive_cli.app, name="archive")
    app.command("export")(archive_cli.export_command)
    app.add_typer(wall_cli.app, name="wall")
    app.add_typer(wall_cli.replies_app, name="replies")


_register()


def main() -> None:
    """Entry point: run the app, translating livepost errors into messages and exit codes.

    Click's standalone mode handles usage errors (exit 2), ``typer.Exit`` codes and Ctrl-C
    ("Aborted!", exit 1); a :class:`LivepostError` from a command ends up here. Anything else is a
    bug and keeps its traceback.
    """
    try:
        app()
    except LivepostError as exc:
        from livepost.cli.errors import exit_code

        typer.echo(f"Error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(exc.hint, err=True)
        sys.exit(int(exit_code(exc)))
    sys.exit(int(ExitCode.OK))
