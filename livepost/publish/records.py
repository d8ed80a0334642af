"""From an outbox row to the ``app.bsky.feed.post`` record, at send time.

Mentions are resolved to DIDs, images uploaded and link cards fetched here, right before the
record is created: uploaded blobs that no record references are garbage-collected, and a handle
may change owner. What cannot be done (an unknown handle, a page without a card) is reported as
a warning and the post goes out without it; what the server refuses raises :class:`Rejected`.

The row's ``embed`` is livepost's own description (see :class:`livepost.outbox.queries.Draft`)::

    {"images": [{"path": "notes/img/a.jpg", "alt": "..."}],   # up to 4, inside base_dir
     "card": {"kind": "talk", "talk_id": "...", ...},         # rendered by Media.card_renderer
     "external": {"uri": "https://..."},                      # link card from OpenGraph data
     "quote": {"uri": "at://...", "cid": "..."}}              # quote (+ media: recordWithMedia)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from livepost.errors import InputError, LivepostError
from livepost.files import event_file
from livepost.publish.base import POST_COLLECTION, Blob, Publisher, Rejected, StrongRef

log = logging.getLogger(__name__)

MAX_IMAGES = 4
FACET = "app.bsky.richtext.facet"


class ImageLike(Protocol):
    """What an image embed needs: :class:`~livepost.cards.PreparedImage` and ``Card`` both fit."""

    @property
    def data(self) -> bytes: ...
    @property
    def mime(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


#: renders the ``card`` spec of an embed into an image and its alt text
CardRenderer = Callable[[dict[str, Any]], tuple[ImageLike, str]]


@dataclass
class Media:
    """Where a row's media come from: image paths, the card renderer, link-card fetching."""

    base_dir: Path = field(default_factory=Path.cwd)
    card_renderer: CardRenderer | None = None
    link_cards: bool = True
    http_timeout: float = 10.0


@dataclass
class Built:
    """A record ready to create, and what had to be left out of it."""

    record: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def iso_now() -> str:
    """``createdAt`` as Bluesky writes it: UTC, milliseconds, ``Z``."""
    return format_datetime(datetime.now(UTC))


def format_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


class Resolver:
    """Handle -> DID, asked once per handle per delivery run."""

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher
        self._cache: dict[str, str | None] = {}

    def __call__(self, handle: str) -> str | None:
        key = handle.lower().lstrip("@")
        if key not in self._cache:
            self._cache[key] = self.publisher.resolve_handle(key)
        return self._cache[key]


def convert_facets(
    facets: list[dict[str, Any]], resolve: Callable[[str], str | None]
) -> tuple[list[dict[str, Any]], list[str]]:
    """``compose --json`` facets -> ``app.bsky.richtext.facet``; unknown handles stay plain text."""
    out: list[dict[str, Any]] = []
    warnings: list[str] = []
    for facet in facets:
        kind, value = facet["type"], facet["value"]
        if kind == "tag":
            feature = {"$type": f"{FACET}#tag", "tag": value}
        elif kind == "link":
            feature = {"$type": f"{FACET}#link", "uri": value}
        elif kind == "mention":
            did = resolve(value)
            if did is None:
                warnings.append(f"@{value.lstrip('@')} is not a known handle: left as plain text")
                continue
            feature = {"$type": f"{FACET}#mention", "did": did}
        else:
            warnings.append(f"unknown facet type {kind!r} left out")
            continue
        out.append(
            {
                "$type": FACET,
                "index": {"byteStart": facet["byteStart"], "byteEnd": facet["byteEnd"]},
                "features": [feature],
            }
        )
    return out, warnings


def build_record(
    *,
    text: str,
    facets: list[dict[str, Any]],
    langs: list[str],
    tags: list[str],
    embed: dict[str, Any] | None,
    reply: tuple[StrongRef, StrongRef] | None,
    publisher: Publisher,
    media: Media,
    resolve: Callable[[str], str | None] | None = None,
    created_at: str | None = None,
) -> Built:
    """The record for one post; ``reply`` is (root, parent). Uploads happen here."""
    record: dict[str, Any] = {
        "$type": POST_COLLECTION,
        "text": text,
        "createdAt": created_at or iso_now(),
    }
    converted, warnings = convert_facets(facets, resolve or Resolver(publisher))
    if converted:
        record["facets"] = converted
    if langs:
        record["langs"] = list(langs)
    if tags:
        record["tags"] = list(tags)
    if reply is not None:
        root, parent = reply
        record["reply"] = {"root": root.to_json(), "parent": parent.to_json()}
    if embed:
        built = build_embed(embed, publisher, media, warnings)
        if built is not None:
            record["embed"] = built
    return Built(record, warnings)


def build_embed(
    spec: dict[str, Any], publisher: Publisher, media: Media, warnings: list[str]
) -> dict[str, Any] | None:
    """images / external / record / recordWithMedia from livepost's embed description."""
    images = _images(spec, publisher, media)
    quote = spec.get("quote")
    external = None
    if spec.get("external"):
        if images:
            warnings.append("a post with images cannot also have a link card: card left out")
        else:
            external = _external(spec["external"], publisher, media, warnings)
    media_embed = images or external
    if quote:
        ref = {"uri": quote["uri"], "cid": quote["cid"]}
        record_embed = {"$type": "app.bsky.embed.record", "record": ref}
        if media_embed is None:
            return record_embed
        return {
            "$type": "app.bsky.embed.recordWithMedia",
            "record": record_embed,
            "media": media_embed,
        }
    return media_embed


def _images(spec: dict[str, Any], publisher: Publisher, media: Media) -> dict[str, Any] | None:
    items: list[dict[str, Any]] = []
    card = spec.get("card")
    if card:
        if media.card_renderer is None:
            raise Rejected("this post has an image card but no card renderer was configured")

        try:
            image, alt = media.card_renderer(card)
        except LivepostError as exc:
            kind = card.get("kind", "talk")
            raise Rejected(f"the {kind} card cannot be drawn: {exc.message}") from exc
        items.append(_image_item(image, card.get("alt") or alt, publisher))
    for entry in spec.get("images") or []:
        if not str(entry.get("alt") or "").strip():  # never alt '': the post waits for one
            raise Rejected(f"image {entry.get('path')} has no alt text: describe it first")
        items.append(_image_item(_load_image(entry, media), entry.get("alt", ""), publisher))
    if not items:
        return None
    if len(items) > MAX_IMAGES:
        raise Rejected(f"a post can have at most {MAX_IMAGES} images, this one has {len(items)}")
    return {"$type": "app.bsky.embed.images", "images": items}


def _load_image(entry: dict[str, Any], media: Media) -> ImageLike:
    from livepost.cards import prepare_image

    try:  # a path (or symlink) leading outside the event folder is refused before any read
        path = event_file(media.base_dir / entry["path"], media.base_dir)
    except InputError as exc:
        raise Rejected(f"image {entry['path']} {exc.detail}") from exc
    try:
        return prepare_image(path)
    except LivepostError as exc:
        raise Rejected(f"image {entry['path']}: {exc.message}") from exc
    except OSError as exc:
        raise Rejected(f"image {entry['path']} cannot be read: {exc.strerror or exc}") from exc


def _image_item(image: ImageLike, alt: str, publisher: Publisher) -> dict[str, Any]:
    blob: Blob = publisher.upload_blob(image.data, image.mime)
    return {
        "image": blob,
        "alt": alt or "",
        "aspectRatio": {"width": image.width, "height": image.height},
    }


def _external(
    spec: dict[str, Any], publisher: Publisher, media: Media, warnings: list[str]
) -> dict[str, Any] | None:
    """A link card from the page's OpenGraph data; on any failure, no card and a warning."""
    from livepost.publish.linkcard import LinkCardError, fetch_link_card

    uri = spec["uri"]
    if not media.link_cards:
        return None
    try:
        card = fetch_link_card(uri, timeout=media.http_timeout)
    except LinkCardError as exc:
        message = f"no link card for {uri}: {exc.message}"
        log.warning(message)
        warnings.append(message)
        return None
    external: dict[str, Any] = {
        "uri": uri,
        "title": spec.get("title") or card.title,
        "description": spec.get("description") or card.description,
    }
    if card.thumb is not None:
        external["thumb"] = publisher.upload_blob(card.thumb.data, card.thumb.mime)
    elif card.thumb_problem:
        warnings.append(f"link card for {uri} has no thumbnail: {card.thumb_problem}")
    return {"$type": "app.bsky.embed.external", "external": external}
