"""Hostile programme URLs, each served here by a real server on a free port: a slow drip (in the
headers, in the body), redirects to loopback and to the cloud metadata address, a host resolving
to a forbidden address, endless redirects. Deadlines are lowered, never slept on."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from livepost import fetch
from livepost.errors import NetworkError
from livepost.fetch import address_class
from livepost.schedule.remote import fetch_programme
from tests.clirunner import run_livepost

PROGRAMME = b"title: Followed\ntimezone: Europe/London\ndate: 2030-06-18\ntalks: []\n"
Route = Callable[[BaseHTTPRequestHandler], None]


class Server:
    """A threaded HTTP server on ``host``:0 answering each path with its route."""

    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1") -> None:
        self.stop = threading.Event()
        server_routes = routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server_routes.get(self.path, _not_found)(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def _not_found(handler: BaseHTTPRequestHandler) -> None:
    handler.send_error(404)


def _programme(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/yaml")
    handler.send_header("Content-Length", str(len(PROGRAMME)))
    handler.end_headers()
    handler.wfile.write(PROGRAMME)


def _redirect(location: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.close()


def _serve(servers: list[Server], routes: dict[str, Route], host: str = "127.0.0.1") -> Server:
    server = Server(routes, host)
    servers.append(server)
    return server


def _drip(stop: threading.Event, in_headers: bool) -> Route:
    """One byte every 0.2 s, for ever (until the client hangs up or the test ends)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/yaml\r\n"
        drip = b"X-Slow: " + b"a" * 10_000 if in_headers else PROGRAMME * 1000
        try:
            if in_headers:
                handler.wfile.write(head)
            else:
                handler.wfile.write(head + f"Content-Length: {len(drip)}\r\n\r\n".encode())
            handler.wfile.flush()
            for byte in drip:
                if stop.wait(0.2):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        except OSError:
            return  # the client gave up: what we want
        handler.close_connection = True

    return route


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_slow_drip_fails_at_the_deadline_naming_the_url(
    servers: list[Server], monkeypatch: pytest.MonkeyPatch, in_headers: bool
) -> None:
    stop = threading.Event()
    server = _serve(servers, {"/slow.yaml": _drip(stop, in_headers)})
    url = f"http://127.0.0.1:{server.port}/slow.yaml"
    monkeypatch.setattr(fetch, "DEADLINE_SECONDS", 1.5)
    started = time.monotonic()
    try:
        with pytest.raises(NetworkError) as caught:
            fetch_programme(url)
    finally:
        stop.set()
    assert time.monotonic() - started < 1.5 + 1.0  # the deadline, not a read timeout, ended it
    assert caught.value.message == (
        f"{url}: no complete answer within 1.5 s (the server at {url} is too slow or stalled)"
    )


def test_the_real_deadline_ends_a_drip_within_a_minute() -> None:
    # every connect and read is given only the time left, so the deadline is the bound
    assert fetch.DEADLINE_SECONDS <= 60
    assert fetch.CONNECT_SECONDS <= fetch.DEADLINE_SECONDS


def _own_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("203.0.113.1", 9))  # no packet is sent: it only picks the route
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if address_class(address) in ("loopback", None) else address


def test_a_redirect_from_the_lan_to_loopback_is_refused(servers: list[Server]) -> None:
    lan = _own_address()
    if lan is None:
        pytest.skip("this machine has no non-loopback network address")
    inside = _serve(servers, {"/secret.yaml": _programme})
    secret = f"http://127.0.0.1:{inside.port}/secret.yaml"
    outside = _serve(servers, {"/schedule.yaml": _redirect(secret)}, host="0.0.0.0")
    url = f"http://{lan}:{outside.port}/schedule.yaml"
    with pytest.raises(NetworkError) as caught:
        fetch_programme(url)
    assert caught.value.message == (
        f"{secret}: refused: 127.0.0.1 is a loopback address (a redirect from {url} led there)"
    )
    # the programme served on the LAN itself is fetched: the user named that address
    outside_ok = _serve(servers, {"/schedule.yaml": _programme}, host="0.0.0.0")
    fetched = fetch_programme(f"http://{lan}:{outside_ok.port}/schedule.yaml")
    assert fetched.body == PROGRAMME


def test_a_named_host_redirecting_to_loopback_is_refused(servers: list[Server]) -> None:
    """``programme.example`` resolves (through the injected resolver) to this machine's LAN
    address: the user named a LAN host, so loopback stays forbidden for its redirects."""
    lan = _own_address()
    if lan is None:
        pytest.skip("this machine has no non-loopback network address")
    inside = _serve(servers, {"/secret.yaml": _programme})
    secret = f"http://127.0.0.1:{inside.port}/secret.yaml"
    outside = _serve(servers, {"/schedule.yaml": _redirect(secret)}, host="0.0.0.0")
    looked_up: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return [lan] if host == "programme.example" else []

    url = f"http://programme.example:{outside.port}/schedule.yaml"
    with pytest.raises(NetworkError) as caught:
        fetch_programme(url, resolver=resolver)
    assert caught.value.message == (
        f"{secret}: refused: 127.0.0.1 is a loopback address (a redirect from {url} led there)"
    )
    assert looked_up == ["programme.example", "programme.example"]  # the given URL, its hop


def test_a_redirect_to_the_cloud_metadata_address_is_refused(servers: list[Server]) -> None:
    metadata = "http://169.254.169.254/latest/meta-data/"
    server = _serve(servers, {"/schedule.yaml": _redirect(metadata)})
    url = f"http://127.0.0.1:{server.port}/schedule.yaml"
    with pytest.raises(NetworkError) as caught:
        fetch_programme(url)
    assert caught.value.message == (
        f"{metadata}: refused: 169.254.169.254 is a link-local address "
        f"(a redirect from {url} led there)"
    )


def test_a_host_with_one_forbidden_address_among_others_is_refused(servers: list[Server]) -> None:
    server = _serve(servers, {"/schedule.yaml": _redirect("http://evil.example/x.yaml")})
    url = f"http://127.0.0.1:{server.port}/schedule.yaml"

    def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1", "fe80::1"]  # every address is checked, not only the first

    with pytest.raises(NetworkError) as caught:
        fetch_programme(url, resolver=resolver)
    assert caught.value.message == (
        "http://evil.example/x.yaml: refused: evil.example (fe80::1) is a link-local address "
        f"(a redirect from {url} led there)"
    )


def test_redirects_within_the_named_class_are_followed_and_counted(servers: list[Server]) -> None:
    routes: dict[str, Route] = {"/schedule.yaml": _programme}
    server = _serve(servers, routes)
    base = f"http://127.0.0.1:{server.port}"
    routes["/old.yaml"] = _redirect("/schedule.yaml")
    assert fetch_programme(f"{base}/old.yaml").body == PROGRAMME
    routes["/loop.yaml"] = _redirect("/loop.yaml")
    with pytest.raises(NetworkError) as caught:
        fetch_programme(f"{base}/loop.yaml")
    assert caught.value.message == f"{base}/loop.yaml redirects more than 5 times"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("192.168.1.10", "private"),
        ("fd00::2", "private"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::7f00:1", "loopback"),
        ("100.64.0.1", "reserved"),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_classes(address: str, kind: str | None) -> None:
    assert address_class(address) == kind


def test_schedule_import_of_a_redirect_to_metadata_exits_6(
    servers: list[Server], tmp_path: Path
) -> None:
    metadata = "http://169.254.169.254/latest/meta-data/"
    server = _serve(servers, {"/schedule.yaml": _redirect(metadata)})
    url = f"http://127.0.0.1:{server.port}/schedule.yaml"
    folder = tmp_path / "event"
    folder.mkdir()
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Hostile"\nhashtags = ["hostile"]\ntimezone = "Europe/London"\n',
        encoding="utf-8",
    )
    done = run_livepost("schedule", "import", url, cwd=folder)
    assert done.code == 6
    assert done.err.splitlines()[0] == (
        f"Error: {metadata}: refused: 169.254.169.254 is a link-local address "
        f"(a redirect from {url} led there)"
    )
    assert "Traceback" not in done.err
