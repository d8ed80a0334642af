"""``livepost serve``: the comms officer's web console."""

from __future__ import annotations

from typing import Annotated

import typer

from livepost.cli.state import CliState


def serve_command(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Anything but 127.0.0.1/localhost is reachable from "
            "other machines, protected by the access token alone.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free one)."),
    ] = 8765,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="The public address behind a reverse proxy (https://live.example.org): "
            "printed links use it, and cookies are Secure when it is HTTPS.",
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxies whose X-Forwarded-For/-Proto headers are believed (comma-separated).",
        ),
    ] = "127.0.0.1",
) -> None:
    """Serve the web console (today's timeline, compose, queue, engagement, checks).

    Prints an address with a fresh access token; open it in a browser.
    """
    from livepost.web.server import serve

    state: CliState = ctx.obj
    serve(
        state.settings(),
        host=host,
        port=port,
        base_url=base_url,
        forwarded_allow_ips=forwarded_allow_ips,
        echo=lambda line: typer.echo(line, err=False),
    )
