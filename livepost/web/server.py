"""Running the console: uvicorn on 127.0.0.1 by default, with the access URL printed at start."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from livepost.errors import ConfigError

if TYPE_CHECKING:
    from livepost.config import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

EXPOSED_WARNING = (
    "Warning: the console listens on {host}, not only on this computer. Anyone who can reach "
    "this address and learns the token can queue and cancel posts: the token is then the only "
    "protection (and the connection is not encrypted). Use --host 127.0.0.1 unless you need "
    "another device to connect."
)


def is_loopback(host: str) -> bool:
    """True for ``127.0.0.1``, ``::1``, ``localhost``: addresses other machines cannot reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


HTTP_BASE_WARNING = (
    "Warning: --base-url {base_url} is not HTTPS: tokens and cookies would cross the network "
    "unencrypted. Put an HTTPS reverse proxy in front (see the README's Caddy example)."
)


def console_url(host: str, port: int, token: str, base_url: str | None = None) -> str:
    """The address to open, token included (as Jupyter prints it)."""
    if base_url:
        return f"{base_url.rstrip('/')}/?token={token}"
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = "127.0.0.1"  # listening everywhere: this computer reaches it on loopback
    elif ":" in host and not host.startswith("["):
        shown = f"[{host}]"
    return f"http://{shown}:{port}/?token={token}"


def startup_lines(
    host: str, port: int, token: str, event_name: str, base_url: str | None = None
) -> list[str]:
    """What ``livepost serve`` prints before it starts listening."""
    lines = []
    behind_https = bool(base_url) and str(base_url).startswith("https://")
    if not is_loopback(host) and not behind_https:
        lines.append(EXPOSED_WARNING.format(host=host))
    if base_url and not behind_https:
        lines.append(HTTP_BASE_WARNING.format(base_url=base_url))
    lines += [
        f"livepost console for {event_name}",
        "Open this address in a browser (it holds the access token; keep it to yourself):",
        f"    {console_url(host, port, token, base_url)}",
        "Stop it with Ctrl-C.",
    ]
    return lines


def serve(
    settings: Settings,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    base_url: str | None = None,
    forwarded_allow_ips: str = "127.0.0.1",
    echo: Callable[[str], None] = print,
) -> None:
    """Open the database, print the address, and serve until interrupted."""
    import uvicorn

    from livepost.web.app import create_app
    from livepost.web.security import new_token

    token = token or new_token()
    with bind_port(host, port) as sock:  # bound before the address is printed: it stays ours
        port = int(sock.getsockname()[1])  # port 0 picks a free one
        secure = bool(base_url) and str(base_url).startswith("https://")
        app = create_app(settings, token=token, port=port, secure_cookies=secure)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            # behind a reverse proxy: X-Forwarded-For/-Proto from these addresses are believed
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
        )
        for line in startup_lines(host, port, token, settings.event.name, base_url):
            echo(line)
        uvicorn.Server(config).run(sockets=[sock])


def bind_port(host: str, port: int) -> socket.socket:
    """Bind ``host:port`` (0: any free port) for the console; a clear message if it is taken."""

    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="Another program (or another livepost serve) uses that port: "
            "choose another with --port, or check the --host address.",
        ) from None
    return sock
