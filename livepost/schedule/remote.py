"""Fetching a programme published at an http(s) address, politely and safely.

Conditional requests (``If-None-Match`` / ``If-Modified-Since``) make a re-fetch of an unchanged
programme cost one short answer; the body is streamed with a cap so that a runaway or hostile
server cannot fill memory; a web page (HTML) is refused before any parser sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from livepost import __version__
from livepost.errors import NetworkError, ScheduleError

#: the largest programme livepost reads from the web (a 10,000-talk export is a few MB)
MAX_BYTES = 50 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")


@dataclass(frozen=True)
class Fetched:
    """What the server answered: ``body`` is None when it said the programme is unchanged
    (304); ``etag`` and ``last_modified`` are the validators to send next time."""

    body: bytes | None
    etag: str | None
    last_modified: str | None


def fetch_programme(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_SECONDS,
) -> Fetched:
    """GET ``url``: :class:`NetworkError` when it cannot be fetched (unreachable, 4xx, 5xx),
    :class:`ScheduleError` when what came back is no programme (HTML, over ``max_bytes``)."""
    headers = {"User-Agent": f"livepost/{__version__}", "Accept": "*/*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == 304:
                return Fetched(None, etag, last_modified)
            if response.status_code >= 400:
                raise NetworkError(
                    f"{url} answered {response.status_code} {response.reason_phrase}",
                    hint="Check the programme's address in livepost.toml ([event] schedule).",
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(url, max_bytes)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(url, max_bytes)
                chunks.append(chunk)
            body = b"".join(chunks)
            content_type = response.headers.get("Content-Type", "").lower()
            new_etag = response.headers.get("ETag")
            new_modified = response.headers.get("Last-Modified")
    except httpx.HTTPError as exc:
        raise NetworkError(
            f"{url} cannot be fetched: {exc}",
            hint="Check the address and the network connection.",
        ) from None
    if "text/html" in content_type or body.lstrip()[:20].lower().startswith(_HTML_STARTS):
        raise ScheduleError(
            url,
            "is a web page (HTML), not a programme export",
            hint="Use the address of the export itself (schedule.json, schedule.xml, .ics, "
            ".csv, .yaml), not of the page that links to it.",
        )
    return Fetched(body, new_etag, new_modified)


def _too_large(url: str, max_bytes: int) -> ScheduleError:
    return ScheduleError(
        url,
        f"is larger than {max_bytes // (1024 * 1024)} MB: not read",
        hint="Check that the address points at the programme export.",
    )
