"""Long links shown shortened, the way the official app shows them, while the facet keeps the URI.

The Bluesky app runs ``shortenLinks`` over a post before sending it: every link facet's visible
text becomes ``toShortUrl(text)`` (``bluesky-social/social-app``, ``src/lib/strings``), i.e. the
host followed by at most 13 characters of path, query and fragment and ``...`` when that part is
over 15 characters. Scheme-less links stay as typed. The facet keeps the full URI and the
grapheme count is taken on the shortened text, so a long URL costs about 30 graphemes, not 200.

``toShortUrl`` relies on the WHATWG URL parser (``new URL``); :func:`parse_http_url` implements
the parts of it that change what is displayed: lower-cased and IDNA-encoded hosts, IPv4 and IPv6
normalisation, default ports dropped, dot segments resolved, and percent-encoding of path, query
and fragment.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace

import idna

from livepost.compose.facets import Facet

_SCHEME = re.compile(r"(https?):[/\\]*", re.IGNORECASE)
_FORBIDDEN_HOST = set(" #%/:<>?@[\\]^|\x7f") | {chr(c) for c in range(0x20)}
_C0 = {chr(c) for c in range(0x20)}
_PATH_SET = _C0 | set(' "#<>?`{}')
_QUERY_SET = _C0 | set(" \"#<>'")
_FRAGMENT_SET = _C0 | set(' "<>`')
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class HttpUrl:
    """The parts of a parsed http(s) URL that ``toShortUrl`` reads, serialized as WHATWG does."""

    host: str  # with ":port" when the port is not the default
    pathname: str
    search: str
    hash: str


def _encode(text: str, keep_out: set[str]) -> str:
    out = []
    for char in text:
        if char in keep_out or ord(char) > 0x7E:
            out.append("".join(f"%{b:02X}" for b in char.encode("utf-8")))
        else:
            out.append(char)
    return "".join(out)


def _percent_decode(text: str) -> str:
    raw = re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), text.encode())
    return raw.decode("utf-8", errors="replace")


def _ipv4_number(part: str) -> int | None:
    if part[:2].lower() == "0x":
        digits, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if digits == "":
        return 0
    try:
        return int(digits, base) if re.fullmatch(r"[0-9a-fA-F]+", digits) else None
    except ValueError:
        return None


def _ipv4(host: str) -> str | None:
    """WHATWG IPv4 parsing of a host that ends in a number; None when it is invalid."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4 or "" in parts:
        return None
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1]
    for index, number in enumerate(values[:-1]):
        address += number * 256 ** (3 - index)
    return str(ipaddress.IPv4Address(address))


def _ends_in_number(host: str) -> bool:
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    return bool(re.fullmatch(r"[0-9]+|0[xX][0-9a-fA-F]*", last))


def _host(raw: str) -> str | None:
    if raw.startswith("["):
        if not raw.endswith("]"):
            return None
        try:
            return f"[{ipaddress.IPv6Address(raw[1:-1]).compressed}]"
        except ValueError:
            return None
    host = _percent_decode(raw)
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            return None
    host = host.lower()
    if not host or any(char in _FORBIDDEN_HOST for char in host):
        return None
    if _ends_in_number(host):
        return _ipv4(host)
    return host


def _path(raw: str) -> str:
    segments: list[str] = []
    pieces = re.split(r"[/\\]", raw)[1:] if raw else [""]
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        lowered = piece.lower()
        if lowered in ("..", ".%2e", "%2e.", "%2e%2e"):
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif lowered in (".", "%2e"):
            if last:
                segments.append("")
        else:
            segments.append(_encode(piece, _PATH_SET))
    return "/" + "/".join(segments)


def parse_http_url(url: str) -> HttpUrl | None:
    """Parse an ``http:``/``https:`` URL as a browser would; None when it is not one or invalid."""
    url = re.sub(r"[\t\n\r]", "", url.strip("".join(_C0) + " "))
    scheme_match = _SCHEME.match(url)
    if not scheme_match:
        return None
    scheme = scheme_match.group(1).lower()
    rest = url[scheme_match.end() :]
    rest, _, fragment = rest.partition("#") if "#" in rest else (rest, "", None)
    rest, _, query = rest.partition("?") if "?" in rest else (rest, "", None)
    cut = re.search(r"[/\\]", rest)
    authority, path = (rest[: cut.start()], rest[cut.start() :]) if cut else (rest, "")
    authority = authority.rpartition("@")[2]
    raw_host, port = authority, ""
    colon = authority.rfind(":")
    if colon != -1 and "]" not in authority[colon:]:
        raw_host, port = authority[:colon], authority[colon + 1 :]
    host = _host(raw_host)
    if host is None or (port and not port.isdigit()) or (port and int(port) > 65535):
        return None
    if port and int(port) != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{int(port)}"
    return HttpUrl(
        host=host,
        pathname=_path(path),
        search=f"?{_encode(query, _QUERY_SET)}" if query else "",
        hash=f"#{_encode(fragment, _FRAGMENT_SET)}" if fragment else "",
    )


def to_short_url(url: str) -> str:
    """The app's ``toShortUrl``: host plus at most 13 characters of the rest, then ``...``."""
    parsed = parse_http_url(url)
    if parsed is None:
        return url
    path = ("" if parsed.pathname == "/" else parsed.pathname) + parsed.search + parsed.hash
    if len(path) > 15:
        return parsed.host + path[:13] + "..."
    return parsed.host + path


def shorten_links(text: str, facets: list[Facet]) -> tuple[str, list[Facet]]:
    """The app's ``shortenLinks``: the visible text of each link shortened, offsets moved along.

    Link facets keep their full URI; every facet after a shortened link shifts by the bytes
    saved.
    """
    if not any(f.type == "link" for f in facets):
        return text, facets
    data = text.encode("utf-8")
    out: list[Facet] = []
    shift = 0
    for facet in sorted(facets, key=lambda f: f.byte_start):
        start, end = facet.byte_start + shift, facet.byte_end + shift
        if facet.type == "link":
            visible = data[start:end].decode("utf-8")
            short = to_short_url(visible).encode("utf-8")
            data = data[:start] + short + data[end:]
            shift += len(short) - (end - start)
            end = start + len(short)
        out.append(replace(facet, byte_start=start, byte_end=end))
    return data.decode("utf-8"), out
