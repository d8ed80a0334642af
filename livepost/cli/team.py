"""``livepost team ...``: give each member of the comms team their own link and role."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from livepost.cli.state import CliState

app = typer.Typer(
    help="The comms team: personal links with a role (officer, reporter, viewer).",
    no_args_is_help=True,
)

DEFAULT_BASE_URL = "http://127.0.0.1:8765"


@app.command("add")
def add_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name (shown on their posts).")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="officer (everything), reporter (posts into the talks of their rooms), "
            "viewer (reads).",
        ),
    ],
    room: Annotated[
        list[str] | None,
        typer.Option("--room", help="A room whose talks a reporter covers (repeat)."),
    ] = None,
    base_url: Annotated[
        str,
        typer.Option("--base-url", help="The console's public address (as given to serve)."),
    ] = DEFAULT_BASE_URL,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print name, role, rooms, token and link as JSON.")
    ] = False,
) -> None:
    """Add a person with a personal token (shown once) and print their link and its QR code."""
    from livepost.app.team import personal_link, qr_text

    state: CliState = ctx.obj
    member, token = state.app().team.add(name, role, room or [])
    link = personal_link(base_url, token)
    if as_json:
        typer.echo(json.dumps({**member.to_json(), "token": token, "link": link}, indent=2))
        return
    rooms = f" for {', '.join(member.rooms)}" if member.rooms else ""
    typer.echo(
        f"Added {member.name} (member {member.id}, {member.role}{rooms}). "
        "Their personal link (shown once):"
    )
    typer.echo(f"    {link}")
    typer.echo(qr_text(link), nl=False)
    typer.echo(f"To take it back: livepost team revoke {member.name!r}")


@app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the team as JSON.")] = False,
) -> None:
    """The team: names, roles, rooms, and whether their link still works."""
    state: CliState = ctx.obj
    members = state.app().team.list()
    if as_json:
        typer.echo(json.dumps([m.to_json() for m in members], indent=2, ensure_ascii=False))
        return
    if not members:
        typer.echo("No one yet: livepost team add NAME --role reporter --room ROOM")
    for m in members:
        rooms = ", ".join(m.rooms) or "-"
        status = "revoked" if m.revoked else "active"
        typer.echo(f"{m.id:>4} {m.name:<20} {m.role:<9} {status:<8} {rooms}")


@app.command("revoke")
def revoke_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name (see: livepost team list).")],
) -> None:
    """Take a person's access back: their link stops working at once."""
    state: CliState = ctx.obj
    member = state.app().team.revoke(name)
    typer.echo(f"Revoked {member.name}'s link: it no longer works.")
