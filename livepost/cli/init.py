"""``livepost init``: create an event folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from livepost.errors import ConfigError


def init_command(
    directory: Annotated[Path, typer.Argument(help="The event folder to create.")],
    name: Annotated[str, typer.Option("--name", help="The event's name.")],
    hashtag: Annotated[
        list[str],
        typer.Option(
            "--hashtag", help="Event hashtag (repeat for more; the first is the event's)."
        ),
    ],
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA time zone, e.g. Europe/London.")
    ] = "UTC",
    lang: Annotated[
        list[str] | None,
        typer.Option("--lang", help="Post language, BCP-47 (repeat, up to 3). Default: en."),
    ] = None,
    schedule: Annotated[
        str, typer.Option("--schedule", help="Programme file name inside the folder.")
    ] = "schedule.yaml",
    force: Annotated[bool, typer.Option("--force", help="Overwrite livepost.toml.")] = False,
) -> None:
    """Create an event folder: livepost.toml, notes/ and a .gitignore for secrets and data."""
    from livepost.app.event_folder import create_event_folder

    try:
        created = create_event_folder(
            directory,
            name=name,
            hashtags=hashtag,
            timezone=timezone,
            langs=lang or ["en"],
            schedule=schedule,
            force=force,
        )
    except FileExistsError:
        raise ConfigError(
            f"{directory / 'livepost.toml'} already exists",
            hint="Use another folder, or pass --force to overwrite livepost.toml.",
        ) from None
    typer.echo(f"Created event folder {directory}:")
    for path in created:
        typer.echo(f"  {path}")
    typer.echo(
        f"Next: put the programme in {directory / schedule} and run "
        f"`livepost --event {directory} schedule import`."
    )
