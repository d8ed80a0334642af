"""Reads from the AppView for the archive: counts (getPosts), threads, hashtag search.

Every function takes an authenticated :class:`atproto.Client` (the publisher's session code
builds it) and returns plain :mod:`livepost.model.engagement` types, so nothing outside this package
touches atproto objects. Failures become :class:`~livepost.errors.NetworkError` with a hint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from atproto import Client
from atproto.exceptions import AtProtocolError, InvokeTimeoutError, RequestErrorBase

from livepost.errors import NetworkError
from livepost.model.engagement import Counts, RemotePost

#: the lexicon's limit of URIs per app.bsky.feed.getPosts call
GET_POSTS_LIMIT = 25
#: the lexicon's limit of posts per app.bsky.feed.searchPosts page
SEARCH_LIMIT = 100
#: levels of replies per getPostThread call. The lexicon allows 1000, but the SDK's parser refuses
#: an answer nested about 90 levels deep; deeper threads are read in pieces
THREAD_DEPTH = 10
#: getPostThread calls for one of our threads in one sync (each reads up to THREAD_DEPTH levels)
MAX_THREAD_CALLS = 50

T = TypeVar("T")
log = logging.getLogger(__name__)


def _call(what: str, call: Callable[[], T]) -> T:
    """Run one XRPC call; SDK exceptions become NetworkError naming the call."""
    try:
        return call()
    except InvokeTimeoutError as exc:
        raise NetworkError(
            f"{what}: Bluesky did not answer in time",
            hint="Try again; the archive keeps what it has already saved.",
        ) from exc
    except RequestErrorBase as exc:
        response = exc.response
        status = getattr(response, "status_code", None)
        if status == 429:
            headers = getattr(response, "headers", {}) or {}
            reset = headers.get("ratelimit-reset") or headers.get("RateLimit-Reset")
            when = (
                datetime.fromtimestamp(int(reset), UTC).strftime("%H:%M:%S UTC")
                if reset and str(reset).isdigit()
                else "later"
            )
            raise NetworkError(
                f"{what}: Bluesky's rate limit was reached",
                hint=f"Run the sync again after {when}; it resumes where it stopped.",
            ) from exc
        if status in (401, 403):
            raise NetworkError(
                f"{what}: Bluesky refused the session (HTTP {status})",
                hint="Log in again with: livepost login",
            ) from exc
        detail = getattr(getattr(response, "content", None), "message", None) or ""
        raise NetworkError(
            f"{what}: Bluesky answered HTTP {status}{': ' + detail if detail else ''}",
            hint="Try again later; the archive keeps what it has already saved.",
        ) from exc
    except AtProtocolError as exc:
        raise NetworkError(
            f"{what}: {exc.__class__.__name__} {exc}".rstrip(),
            hint="Check the connection to the PDS (LIVEPOST_SERVICE) and try again.",
        ) from exc


def fetch_posts(client: Client, uris: Sequence[str]) -> list[RemotePost]:
    """The posts at ``uris`` (at most 25) with their current counts; deleted posts are absent."""
    if len(uris) > GET_POSTS_LIMIT:
        raise ValueError(f"getPosts takes at most {GET_POSTS_LIMIT} URIs, got {len(uris)}")
    if not uris:
        return []
    response = _call(
        "app.bsky.feed.getPosts", lambda: client.app.bsky.feed.get_posts({"uris": list(uris)})
    )
    return [post_from_view(view) for view in response.posts]


def fetch_thread_replies(
    client: Client,
    uri: str,
    *,
    depth: int = THREAD_DEPTH,
    max_calls: int = MAX_THREAD_CALLS,
    calls: list[int] | None = None,
) -> list[RemotePost]:
    """Every reply under the post at ``uri``, at any depth, parents before children, each once.

    The thread is read in pieces ``depth`` levels deep: a reply at the bottom of a piece that has
    (or may have) replies of its own is read again as the top of the next piece, breadth first,
    until nothing is left or ``max_calls`` getPostThread calls were made (then the deepest replies
    wait for the next sync). One call for a thousand levels would nest the answer deeper than the
    SDK's parser accepts: about 90 levels make it raise, for every sync after. Each call made is
    counted in ``calls[0]`` when given. A thread whose root was deleted or is hidden has no replies
    to show: an empty list.
    """
    replies: list[RemotePost] = []
    seen: set[str] = {uri}
    tops = [uri]
    made = 0
    while tops and made < max_calls:
        bottoms: list[str] = []
        for top in tops:
            if made >= max_calls:
                break
            made += 1
            if calls is not None:
                calls[0] += 1
            thread = _thread_piece(client, top, depth)
            pending = [(node, 1) for node in getattr(thread, "replies", None) or []]
            while pending:
                node, level = pending.pop(0)
                view = getattr(node, "post", None)
                if view is None or view.uri in seen:  # NotFoundPost / BlockedPost / read before
                    continue
                seen.add(view.uri)
                replies.append(post_from_view(view))
                below = getattr(node, "replies", None) or []
                pending.extend((child, level + 1) for child in below)
                if not below and level >= depth and view.reply_count != 0:
                    bottoms.append(view.uri)  # its replies were cut off by the depth: read on
        tops = bottoms
    if tops:
        log.info("thread %s: deeper replies left for the next sync (%d calls made)", uri, made)
    return replies


def _thread_piece(client: Client, uri: str, depth: int) -> Any:
    """The thread under ``uri``, ``depth`` levels of replies deep; None when it is not found."""

    def call() -> Any:
        try:
            return client.app.bsky.feed.get_post_thread(
                {"uri": uri, "depth": depth, "parent_height": 0}
            )
        except RequestErrorBase as exc:
            if getattr(getattr(exc.response, "content", None), "error", None) == "NotFound":
                return None
            raise

    response = _call("app.bsky.feed.getPostThread", call)
    return None if response is None else response.thread


def search_posts(
    client: Client,
    q: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = SEARCH_LIMIT,
) -> tuple[list[RemotePost], str | None]:
    """One page of ``app.bsky.feed.searchPosts`` sorted latest first, and the next cursor."""
    params: dict[str, Any] = {"q": q, "sort": "latest", "limit": limit}
    if since is not None:
        params["since"] = _iso(since)
    if until is not None:
        params["until"] = _iso(until)
    if cursor:
        params["cursor"] = cursor
    response = _call("app.bsky.feed.searchPosts", lambda: client.app.bsky.feed.search_posts(params))
    posts = [post_from_view(view) for view in response.posts]
    return posts, response.cursor or None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str | None, fallback: datetime | None = None) -> datetime:
    """An AT Protocol datetime as aware UTC; a missing or unreadable one gives ``fallback``."""
    if value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC)
    return fallback if fallback is not None else datetime.now(UTC)


def post_from_view(view: Any) -> RemotePost:
    """A ``PostView`` (any record shape the SDK hands back) as a :class:`RemotePost`."""
    record = view.record
    indexed = parse_time(getattr(view, "indexed_at", None))
    text = _get(record, "text") or ""
    facets_raw = _get(record, "facets") or []
    facets = [_plain(f) for f in facets_raw]
    links: list[str] = []
    tags: list[str] = []
    for facet in facets:
        for feature in facet.get("features", []):
            if "uri" in feature:
                links.append(str(feature["uri"]))
            if "tag" in feature:
                tags.append(str(feature["tag"]))
    tags.extend(str(t) for t in (_get(record, "tags") or []))
    image_alts: list[str] = []
    _walk_embed(_get(record, "embed"), links, image_alts)
    reply = _get(record, "reply")
    author = view.author
    return RemotePost(
        uri=view.uri,
        cid=view.cid,
        author_did=author.did,
        author_handle=author.handle,
        author_name=getattr(author, "display_name", None) or None,
        text=text,
        created_at=parse_time(_get(record, "created_at") or _get(record, "createdAt"), indexed),
        indexed_at=indexed,
        counts=Counts(
            replies=view.reply_count or 0,
            reposts=view.repost_count or 0,
            likes=view.like_count or 0,
            quotes=view.quote_count or 0,
            bookmarks=getattr(view, "bookmark_count", None),
        ),
        facets=facets,
        links=links,
        image_alts=image_alts,
        images=_view_images(getattr(view, "embed", None), image_alts),
        tags=tags,
        reply_parent=_ref_uri(_get(reply, "parent")),
        reply_root=_ref_uri(_get(reply, "root")),
    )


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    try:
        return getattr(obj, name, None)
    except Exception:  # the SDK's DotDict raises on unknown keys in some versions
        return None


def _ref_uri(ref: Any) -> str | None:
    uri = _get(ref, "uri")
    return str(uri) if uri else None


def _plain(value: Any) -> Any:
    """SDK models as JSON-ready dicts with the record's own field names (``byteStart``)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def _view_images(embed: Any, alts: list[str]) -> list[dict[str, str]]:
    """Each image with its alt text and the AppView's addresses (from the view's embed; the
    record's alt texts alone when the view has none)."""
    found: list[dict[str, str]] = []
    for holder in (embed, _get(embed, "media")):
        for image in _get(holder, "images") or []:
            found.append(
                {
                    "alt": str(_get(image, "alt") or ""),
                    "thumb": str(_get(image, "thumb") or ""),
                    "fullsize": str(_get(image, "fullsize") or ""),
                }
            )
    if len(found) != len(alts):
        return [{"alt": alt, "thumb": "", "fullsize": ""} for alt in alts]
    return found


def _walk_embed(embed: Any, links: list[str], alts: list[str]) -> None:
    """Collect external link URIs and image alt texts from a record's embed (any nesting)."""
    if embed is None:
        return
    for image in _get(embed, "images") or []:
        alts.append(str(_get(image, "alt") or ""))
    external = _get(embed, "external")
    if external is not None and _get(external, "uri"):
        links.append(str(_get(external, "uri")))
    _walk_embed(_get(embed, "media"), links, alts)
