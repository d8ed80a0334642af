"""``livepost devnet``: a real local Bluesky network to try livepost without an account."""

from __future__ import annotations

from typing import Annotated

import typer


def devnet_command(
    accounts: Annotated[
        str, typer.Option("--accounts", help="Comma-separated test account names.")
    ] = "alice,bob,carol",
    pds_port: Annotated[
        int | None,
        typer.Option(
            "--pds-port", help="PDS port on 127.0.0.1 (default 2583 if free; 0: any free port)."
        ),
    ] = None,
    rate_limits: Annotated[
        bool, typer.Option("--rate-limits", help="Enforce Bluesky's real rate limits.")
    ] = False,
) -> None:
    """Start PLC + PDS + AppView on 127.0.0.1 and print the PDS URL, accounts and a .env snippet.

    Needs Node.js and npm (the first start runs `npm ci` in harness/). Stop it with Ctrl-C.
    """
    from livepost.devtools.bluesky_network import main as network_main

    argv = ["--accounts", accounts]
    if pds_port is not None:
        argv += ["--pds-port", str(pds_port)]
    if rate_limits:
        argv.append("--rate-limits")
    raise typer.Exit(network_main(argv))
