"""Bluesky handles as programmes give them: a handle, ``@handle`` or a bsky.app profile link."""

from __future__ import annotations

import re

_PROFILE = re.compile(r"^(?:https?://)?(?:www\.)?bsky\.app/profile/([^/?#\s]+)", re.IGNORECASE)
_HANDLE = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    re.IGNORECASE,
)


def bluesky_handle(value: object) -> str | None:
    """``"https://bsky.app/profile/jo.bsky.social"``, ``"@jo.bsky.social"`` -> ``"jo.bsky.social"``.

    Anything that is not a well-formed handle (a DID, a name, another site's URL) gives ``None``.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    profile = _PROFILE.match(text)
    if profile:
        text = profile[1]
    text = text.removeprefix("@").strip().lower()
    return text if len(text) <= 253 and _HANDLE.fullmatch(text) else None


def is_bluesky_link(kind: object, url: object) -> bool:
    """A speaker link that points at Bluesky: its type or title says so, or it is a bsky.app URL."""
    label = str(kind or "").strip().casefold()
    return label in ("bluesky", "bsky") or bool(_PROFILE.match(str(url or "").strip()))
