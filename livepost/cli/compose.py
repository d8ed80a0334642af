"""``livepost compose``: the post or thread a text becomes, exactly as it would be sent."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from livepost.cli.state import CliState
from livepost.errors import ConfigError

#: the post templates (``templates/posts/<kind>.txt.j2``) a text can be composed with
POST_KINDS = (
    "free",
    "snippet",
    "announcement",
    "correction",
    "talk_starting",
    "wrapup",
    "day_opening",
    "day_closing",
)


def compose_command(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The text to post; '-' reads standard input.")],
    talk_id: Annotated[
        str | None,
        typer.Option("--talk", help="Compose in this talk's context (its hashtags, template)."),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Template: free, snippet, announcement, correction, talk_starting, wrapup, "
            "day_opening, day_closing (default: snippet with --talk, else free).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the posts as JSON.")] = False,
) -> None:
    """Show the post or thread TEXT becomes: hashtags, facets, counts, splitting.

    Outside an event folder no event hashtags are added.
    """
    state: CliState = ctx.obj
    body = sys.stdin.read() if text == "-" else text
    if kind is not None and kind not in POST_KINDS:
        raise typer.BadParameter(
            f"{kind!r} is not one of: {', '.join(POST_KINDS)}", param_hint="--kind"
        )
    if state.in_event_folder() and talk_id:
        queue = state.app().queue
        posts = queue.compose(body, queue.talk(talk_id), kind)
    elif state.in_event_folder():  # no talk: nothing to read from the database
        from livepost.app.text import compose_in_event

        posts = compose_in_event(state.settings(), body, kind)
    elif talk_id:
        raise ConfigError(
            "--talk needs an event folder",
            hint="Run it in the event folder or pass --event DIR.",
        )
    else:  # outside an event: the text as it is, no event hashtags
        from livepost.app.text import compose_plain

        posts = compose_plain(body, kind or "free")
    if as_json:
        typer.echo(json.dumps([p.to_json() for p in posts], indent=2, ensure_ascii=False))
        return
    from livepost.cli.output import print_posts

    print_posts(posts)
