"""``livepost compose``: the post or thread a text becomes, exactly as it would be sent."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from livepost.cli.state import CliState
from livepost.errors import ConfigError


def compose_command(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The text to post; '-' reads standard input.")],
    talk_id: Annotated[
        str | None,
        typer.Option("--talk", help="Compose in this talk's context (its hashtags, template)."),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="Template: free, snippet, announcement, talk_starting, wrapup, day_opening, "
            "day_closing.",
        ),
    ] = "free",
    as_json: Annotated[bool, typer.Option("--json", help="Print the posts as JSON.")] = False,
) -> None:
    """Show the post or thread TEXT becomes: hashtags, facets, counts, splitting.

    Outside an event folder no event hashtags are added.
    """
    from livepost.compose.compose import compose
    from livepost.compose.context import build_context

    state: CliState = ctx.obj
    body = sys.stdin.read() if text == "-" else text
    event = state.settings() if state.in_event_folder() else None
    if talk_id and event is None:
        raise ConfigError(
            "--talk needs an event folder",
            hint="Run it in the event folder or pass --event DIR.",
        )
    talk = None
    if event is not None and talk_id:
        from livepost.store.programme import find_talk

        talk = find_talk(event, state.engine(), talk_id)
    context = (
        build_context(
            event_name=event.event.name,
            event_hashtags=event.event.hashtags,
            timezone=event.event.timezone,
            talk=talk,
        )
        if event
        else {}
    )
    posts = compose(
        body,
        kind=kind,
        context=context,
        event_hashtags=event.event.hashtags if event else [],
        extra_hashtags=talk.hashtags if talk else [],
        langs=event.event.langs if event else ["en"],
        template_dirs=event.template_dirs if event else [],
    )
    if as_json:
        typer.echo(json.dumps([p.to_json() for p in posts], indent=2, ensure_ascii=False))
        return
    from livepost.cli.output import print_posts

    print_posts(posts)
