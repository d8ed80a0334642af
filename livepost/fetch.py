"""Fetching a URL someone gave us (a programme, a link card's page and image), safely: the one
place every such fetch goes through.

* **Deadlines**: connecting takes at most :data:`CONNECT_SECONDS`, one read at most
  :data:`READ_SECONDS`, and the whole fetch, redirects included, at most
  :data:`DEADLINE_SECONDS`: every read is given only the time left, so a server dripping one
  byte every few seconds (in its headers or its body) fails at the deadline, with the URL named.
* **Size**: the answer's body is counted as it streams and refused past ``max_bytes``.
* **Addresses**: the host is resolved here and every address checked; loopback, link-local
  (169.254/16, fe80::/10), private, multicast, unspecified and other non-global addresses are
  refused, unless the URL the user gave named an address of that same class to begin with (a
  programme on the organiser's LAN, or on 127.0.0.1, keeps working). The connection goes to the
  checked address only, so a second DNS answer cannot swap it.
* **Redirects** are followed by hand, at most :data:`MAX_REDIRECTS`, each hop checked again.

Proxies from the environment are not used.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore

from livepost.errors import InputTooLarge, NetworkError

CONNECT_SECONDS = 10.0
READ_SECONDS = 15.0
#: the whole fetch, redirects included; with a connect or read under way it ends at this moment
DEADLINE_SECONDS = 45.0
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HINT = "Check the address and the network connection."

#: (host, port) -> the host's addresses, as text
Resolver = Callable[[str, int], Sequence[str]]


class FetchError(NetworkError):
    """A URL could not be fetched: unreachable, too slow, refused address, too many redirects.
    The message names the URL."""


class FetchTooLarge(InputTooLarge):
    """The answer is larger than the caller reads."""


@dataclass(frozen=True)
class Answer:
    """What the server finally answered (after redirects): ``url`` is where it came from,
    ``headers`` are lower-cased (the last of a repeated header wins)."""

    url: str
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the system's order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_class(address: str) -> str | None:
    """Why ``address`` is not a public one ("loopback", "link-local", "private", "multicast",
    "unspecified", "reserved"), or None when it is. IPv4 inside IPv6 (mapped, 6to4, NAT64) is
    judged as the IPv4 address it carries."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved or not ip.is_global),
    )
    return next((name for name, hit in checks if hit), None)


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"{url} is not a valid address ({exc})", hint=_HINT) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(
            f"{url} is not an http(s) address", hint="Give an address starting with https://."
        )
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    default = 443 if scheme == "https" else 80
    return _Target(url, scheme, parts.hostname.lower(), port or default, path)


def _resolve(target: _Target, resolver: Resolver) -> list[str]:
    try:
        ipaddress.ip_address(target.host.split("%")[0])
        return [target.host]
    except ValueError:
        pass
    try:
        found = list(resolver(target.host, target.port))
    except (OSError, UnicodeError) as exc:
        raise FetchError(
            f"{target.url}: {target.host} cannot be resolved ({exc})", hint=_HINT
        ) from None
    if not found:
        raise FetchError(f"{target.url}: {target.host} has no address", hint=_HINT)
    return found


def _check(target: _Target, addresses: Iterable[str], allowed: frozenset[str], via: str) -> None:
    for address in addresses:
        kind = address_class(address)
        if kind is None or kind in allowed:
            continue
        where = target.host if target.host == address else f"{target.host} ({address})"
        raise FetchError(
            f"{target.url}: refused: {where} is a {kind} address{via}",
            hint="livepost fetches loopback, link-local, private and multicast addresses only "
            "when the address you gave is one (a programme on your own network): give that "
            "address itself.",
        )


class _Clock:
    """The fetch's deadline: every connect, read and write gets at most the time left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def left(self, timeout: float | None) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("the deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.deadline


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, clock: _Clock) -> None:
        self.inner, self.clock = inner, clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.clock.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.clock.left(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self.inner.start_tls(ssl_context, server_hostname, self.clock.left(timeout))
        return _Stream(inner, self.clock)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """Connects only to the addresses checked for this hop, within the deadline."""

    def __init__(self, host: str, addresses: Sequence[str], clock: _Clock) -> None:
        self.host, self.addresses, self.clock = host, addresses, clock
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if host != self.host:  # cannot happen: one pool per hop
            raise httpcore.ConnectError(f"{host} was not checked")
        failed: Exception | None = None
        for address in self.addresses:
            try:
                stream = self.inner.connect_tcp(
                    address, port, self.clock.left(timeout), local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                failed = exc
                continue
            return _Stream(stream, self.clock)
        raise failed or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def fetch(
    url: str,
    *,
    max_bytes: int,
    headers: dict[str, str] | None = None,
    resolver: Resolver | None = None,
    given: str | None = None,
    seconds: float | None = None,
) -> Answer:
    """GET ``url`` within the deadlines and limits (see the module docstring): the final answer,
    whatever its status, except redirects, which are followed. ``given`` is the address the
    user gave, when ``url`` came from elsewhere (a link card's image from its page): it decides
    which address classes are allowed. Raises :class:`FetchError` (exit 6) or
    :class:`FetchTooLarge` (exit 2), each naming the URL. ``seconds`` shortens the deadline."""
    resolve = resolver or system_resolver
    clock = _Clock(DEADLINE_SECONDS if seconds is None else min(seconds, DEADLINE_SECONDS))
    first = given or url
    origin = _target(first)
    allowed = frozenset(
        kind for kind in map(address_class, _resolve(origin, resolve)) if kind is not None
    )
    current, via = url, "" if url == first else f" (named by {first})"
    for _ in range(MAX_REDIRECTS + 1):
        target = _target(current)
        addresses = _resolve(target, resolve)
        _check(target, addresses, allowed, via)
        answer = _get(target, addresses, clock, headers or {}, max_bytes, url)
        location = answer.headers.get("location")
        if answer.status not in _REDIRECTS or not location:
            return answer
        current, via = urljoin(current, location.strip()), f" (a redirect from {current} led there)"
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times", hint=_HINT)


def _get(
    target: _Target,
    addresses: Sequence[str],
    clock: _Clock,
    headers: dict[str, str],
    max_bytes: int,
    first: str,
) -> Answer:
    sent = {"Host": target.host_header, "Accept-Encoding": "identity", **headers}
    timeouts = {"connect": CONNECT_SECONDS, "read": READ_SECONDS, "write": READ_SECONDS}
    request_url = httpcore.URL(
        scheme=target.scheme, host=target.host, port=target.port, target=target.path
    )
    backend = _Backend(target.host, addresses, clock)
    try:
        with (
            httpcore.ConnectionPool(
                ssl_context=httpcore.default_ssl_context(), network_backend=backend
            ) as pool,
            pool.stream(
                "GET",
                request_url,
                headers=list(sent.items()),
                extensions={"timeout": timeouts},
            ) as response,
        ):
            answer_headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers
            }
            reason = response.extensions.get("reason_phrase", b"")
            if response.status in _REDIRECTS:
                return Answer(target.url, response.status, "", answer_headers)
            declared = answer_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(target.url, max_bytes)
            body = bytearray()
            for chunk in response.iter_stream():
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise _too_large(target.url, max_bytes)
    except httpcore.TimeoutException as exc:
        if clock.passed:
            raise FetchError(
                f"{first}: no complete answer within {clock.seconds:g} s (the server at "
                f"{target.url} is too slow or stalled)",
                hint=_HINT,
            ) from None
        raise FetchError(f"{target.url} did not answer in time ({exc})", hint=_HINT) from None
    except httpcore.ConnectError as exc:
        raise FetchError(
            f"{target.url} cannot be fetched (cannot connect: {exc})", hint=_HINT
        ) from None
    except httpcore.ProtocolError as exc:
        raise FetchError(f"{target.url} gave a broken HTTP answer ({exc})", hint=_HINT) from None
    except (httpcore.NetworkError, httpcore.UnsupportedProtocol) as exc:
        raise FetchError(f"{target.url} cannot be fetched ({exc})", hint=_HINT) from None
    phrase = reason.decode("latin-1") if isinstance(reason, bytes) else str(reason)
    return Answer(target.url, response.status, phrase, answer_headers, bytes(body))


def _too_large(url: str, max_bytes: int) -> FetchTooLarge:
    size = (
        f"{max_bytes / (1024 * 1024):g} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes:,} bytes"
    )
    return FetchTooLarge(url, f"the answer is larger than {size}: not read")
