"""Link cards: the page's OpenGraph title, description and image, fetched by :mod:`livepost.fetch`.

Bluesky does not build cards; the client does. A page that cannot be fetched, or has nothing to
show, is a :class:`LinkCardError` and the post goes out without a card. A thumbnail that cannot
be made small enough (at most 1,000,000 bytes) is left out, the card stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from livepost.errors import LivepostError
from livepost.fetch import FetchError, FetchTooLarge, Resolver, fetch

MAX_PAGE_BYTES = 2_000_000
MAX_THUMB_BYTES = 1_000_000
MAX_THUMB_DOWNLOAD = 10_000_000
USER_AGENT = "livepost (link card preview)"


class LinkCardError(LivepostError):
    """The page gave no card (unreachable, not HTML, no title)."""


@dataclass(frozen=True)
class Thumb:
    data: bytes
    mime: str


@dataclass(frozen=True)
class LinkCard:
    title: str
    description: str
    thumb: Thumb | None
    thumb_problem: str | None = None


class _MetaParser(HTMLParser):
    """Collects ``<meta property|name=... content=...>`` and ``<title>`` from the head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            name = (values.get("property") or values.get("name") or "").lower()
            if name and "content" in values:
                self.meta.setdefault(name, values["content"].strip())
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _get(
    url: str, timeout: float, limit: int, given: str | None = None, resolver: Resolver | None = None
) -> tuple[bytes, str, str]:
    """The body, content type and final URL of ``url``, fetched through :mod:`livepost.fetch`
    (its deadline, address checks and redirects, hop by hop); ``given`` is the link the post
    carries, which decides the address classes allowed for its image too."""
    try:
        answer = fetch(
            url,
            max_bytes=limit,
            headers={"User-Agent": USER_AGENT},
            resolver=resolver,
            given=given,
            seconds=timeout,
        )
    except FetchTooLarge:
        raise LinkCardError(f"the response is larger than {limit:,} bytes") from None
    except FetchError as exc:
        raise LinkCardError(exc.message) from None
    if answer.status >= 400:
        raise LinkCardError(f"the page answered HTTP {answer.status}")
    kind = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    return answer.body, kind, answer.url


def parse_card(html: str) -> tuple[str, str, str | None]:
    """(title, description, image URL) from OpenGraph tags, with plain HTML as fallback."""
    parser = _MetaParser()
    parser.feed(html)
    meta = parser.meta
    title = meta.get("og:title") or meta.get("twitter:title") or " ".join(parser.title.split())
    description = (
        meta.get("og:description") or meta.get("twitter:description") or meta.get("description")
    )
    image = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
    return title, description or "", image or None


def fetch_link_card(
    url: str, *, timeout: float = 10.0, resolver: Resolver | None = None
) -> LinkCard:
    """Fetch ``url`` and its OpenGraph image; the thumbnail is prepared to at most 1 MB.
    ``timeout`` bounds each fetch as a whole (see :mod:`livepost.fetch`)."""
    body, kind, final_url = _get(url, timeout, MAX_PAGE_BYTES, resolver=resolver)
    if kind and kind not in ("text/html", "application/xhtml+xml"):
        raise LinkCardError(f"the link is not a web page ({kind})")
    title, description, image = parse_card(body.decode("utf-8", errors="replace"))
    if not title:
        raise LinkCardError("the page has no title")
    if image is None:
        return LinkCard(title, description, None)
    try:
        from livepost.cards import prepare_image

        image_url = urljoin(final_url, image)
        data, _, _ = _get(image_url, timeout, MAX_THUMB_DOWNLOAD, given=url, resolver=resolver)
        prepared = prepare_image(data, name=image, max_bytes=MAX_THUMB_BYTES)
    except LivepostError as exc:
        return LinkCard(title, description, None, thumb_problem=exc.message)
    return LinkCard(title, description, Thumb(prepared.data, prepared.mime))
