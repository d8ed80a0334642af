"""The venue wall for every front end: what it shows, and the officers' moderation.

The console (``/wall``, ``/wall/manage``, ``/api/v1/wall``) and the CLI (``livepost wall ...``,
``livepost replies hide``) call these; each call is one short transaction on the shared database,
so a post hidden from the CLI is gone from the wall at its next refresh.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from livepost.archive.wall import (
    Decision,
    LogEntry,
    WallPost,
    decisions,
    moderate,
    moderation_log,
    replies_in_our_threads,
    wall_posts,
)
from livepost.store.engine import session_scope
from livepost.store.talks import ensure_event

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings


def cli_actor() -> str:
    """Who acts from a terminal: the system user."""
    try:
        return f"{getpass.getuser()} (cli)"
    except (KeyError, OSError):
        return "cli"


@dataclass
class Wall:
    """One event's wall."""

    settings: Settings
    engine: Engine

    def _session(self) -> Any:
        return session_scope(self.engine)

    def _event(self, session: Any) -> Any:
        event = self.settings.event
        return ensure_event(session, self.settings.event_key, event.name, event.timezone)

    def posts(self, *, moderated: bool = True) -> list[WallPost]:
        """What the wall shows now (``moderated=False``: hidden ones and blocked authors too)."""
        wall = self.settings.wall
        with self._session() as session:
            return wall_posts(
                session,
                self._event(session),
                limit=wall.max_posts,
                include_ours=wall.include_ours,
                our_handle=self.settings.handle,
                our_name=self.settings.event.name,
                moderated=moderated,
            )

    def to_json(self) -> dict[str, Any]:
        """``GET /api/v1/wall``: the posts the wall shows, as JSON."""
        return {
            "event": self.settings.event.name,
            "hashtags": self.settings.event.hashtags,
            "refresh_seconds": self.settings.wall.refresh_seconds,
            "posts": [post.to_json() for post in self.posts()],
        }

    def act(self, verb: str, target: str, actor: str) -> bool:
        """hide / unhide / pin / unpin a post URI, block / unblock a handle; logged."""
        with self._session() as session:
            return moderate(session, self._event(session), verb, target, actor)

    def decisions(self) -> list[Decision]:
        with self._session() as session:
            return decisions(session, self._event(session))

    def log(self) -> list[LogEntry]:
        with self._session() as session:
            return moderation_log(session, self._event(session))

    def replies(self) -> list[WallPost]:
        with self._session() as session:
            return replies_in_our_threads(session, self._event(session))
