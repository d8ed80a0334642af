"""Fetching a programme published at an http(s) address, politely and safely.

The fetch itself (deadlines, size cap, address checks, redirects) is :mod:`livepost.fetch`'s.
Conditional requests (``If-None-Match`` / ``If-Modified-Since``) make a re-fetch of an unchanged
programme cost one short answer; the body is streamed with a cap so that a runaway or hostile
server cannot fill memory; a web page (HTML) is refused before any parser sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from livepost import __version__
from livepost.errors import NetworkError, ScheduleError
from livepost.fetch import FetchTooLarge, Resolver, fetch

#: the largest programme livepost reads from the web (a 10,000-talk export is a few MB)
MAX_BYTES = 50 * 1024 * 1024
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
    resolver: Resolver | None = None,
) -> Fetched:
    """GET ``url`` through :func:`livepost.fetch.fetch` (deadlines, address checks, redirects
    checked hop by hop): :class:`NetworkError` when it cannot be fetched (unreachable, too slow,
    refused address, 4xx, 5xx), :class:`ScheduleError` when what came back is no programme
    (HTML, over ``max_bytes``)."""
    headers = {"User-Agent": f"livepost/{__version__}", "Accept": "*/*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        answer = fetch(url, max_bytes=max_bytes, headers=headers, resolver=resolver)
    except FetchTooLarge:
        raise ScheduleError(
            url,
            f"is larger than {max_bytes // (1024 * 1024)} MB: not read",
            hint="Check that the address points at the programme export.",
        ) from None
    if answer.status == 304:
        return Fetched(None, etag, last_modified)
    if answer.status >= 400:
        raise NetworkError(
            f"{url} answered {answer.status} {answer.reason}".rstrip(),
            hint="Check the programme's address in livepost.toml ([event] schedule).",
        )
    body = answer.body
    content_type = answer.headers.get("content-type", "").lower()
    if "text/html" in content_type or body.lstrip()[:20].lower().startswith(_HTML_STARTS):
        raise ScheduleError(
            url,
            "is a web page (HTML), not a programme export",
            hint="Use the address of the export itself (schedule.json, schedule.xml, .ics, "
            ".csv, .yaml), not of the page that links to it.",
        )
    return Fetched(body, answer.headers.get("etag"), answer.headers.get("last-modified"))
