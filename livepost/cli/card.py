"""``livepost card``: draw one image card and print its alt text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from livepost.cli.state import CliState

#: the card layouts (``templates/cards/<kind>.toml``)
CARD_KINDS = ("talk", "quote", "next", "wrapup")


def _card_kind(value: str) -> str:
    if value not in CARD_KINDS:
        raise typer.BadParameter(f"{value!r} is not one of: {', '.join(CARD_KINDS)}")
    return value


def card_command(
    ctx: typer.Context,
    talk_id: Annotated[
        str | None,
        typer.Argument(help="The talk (see `livepost schedule show`); not needed for wrapup."),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="talk, quote, next or wrapup.", callback=_card_kind)
    ] = "talk",
    text: Annotated[
        str | None, typer.Option("--text", help="The quotation, for --kind quote.")
    ] = None,
    alt: Annotated[
        str | None, typer.Option("--alt", help="Alt text instead of the generated.")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the card (PNG or JPEG).")
    ] = Path("card.png"),
) -> None:
    """Draw a card (1200x675 by default, at most 976 KB) and print its alt text."""
    state: CliState = ctx.obj
    card = state.app().cards.draw(talk_id, out, kind=kind, text=text, alt=alt)
    if card.path != out:
        typer.echo(f"Note: written as {card.path} ({card.mime} was smaller).", err=True)
    typer.echo(f"{card.path}: {card.width}x{card.height} {card.mime}, {card.size:,} bytes")
    typer.echo(f"alt: {card.alt}")
