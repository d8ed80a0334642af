"""Plain types the archive passes around: a post as read from Bluesky, and its counts.

They carry no atproto objects, so the archive, the export and their tests never import the SDK;
:mod:`livepost.bluesky.reads` turns the AppView's views into these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: the counts a snapshot holds, in the order exports show them
COUNT_NAMES = ("replies", "reposts", "likes", "quotes")


@dataclass(frozen=True)
class Counts:
    """Engagement of one post at one moment. ``bookmarks`` is None when the AppView omits it."""

    replies: int = 0
    reposts: int = 0
    likes: int = 0
    quotes: int = 0
    bookmarks: int | None = None

    @property
    def total(self) -> int:
        """Interactions that rank a post (bookmarks are private to the bookmarker: left out)."""
        return self.replies + self.reposts + self.likes + self.quotes

    def __add__(self, other: Counts) -> Counts:
        """Totals over several posts (bookmarks only when both sides report them)."""
        bookmarks = (
            None
            if self.bookmarks is None or other.bookmarks is None
            else self.bookmarks + other.bookmarks
        )
        return Counts(
            replies=self.replies + other.replies,
            reposts=self.reposts + other.reposts,
            likes=self.likes + other.likes,
            quotes=self.quotes + other.quotes,
            bookmarks=bookmarks,
        )

    def as_dict(self) -> dict[str, int | None]:
        return {
            "replies": self.replies,
            "reposts": self.reposts,
            "likes": self.likes,
            "quotes": self.quotes,
            "bookmarks": self.bookmarks,
        }


@dataclass
class RemotePost:
    """A post as the AppView shows it: the record's content, its author and its counts."""

    uri: str
    cid: str
    author_did: str
    author_handle: str
    author_name: str | None
    text: str
    created_at: datetime
    indexed_at: datetime
    counts: Counts
    facets: list[dict[str, Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    image_alts: list[str] = field(default_factory=list)
    #: each image as ``{"alt", "thumb", "fullsize"}`` (the addresses empty when unknown)
    images: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # the record's facet tags and extra tags
    reply_parent: str | None = None
    reply_root: str | None = None

    @property
    def sort_at(self) -> datetime:
        """How the AppView orders posts: the earlier of created and indexed time."""
        return min(self.created_at, self.indexed_at)
