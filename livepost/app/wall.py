"""The venue wall and our threads' replies for every front end: what the wall shows, and the
officers' moderation.

The console (``/wall``, ``/wall/manage``, the API's ``/api/v1/wall/...``) and the CLI (``livepost
wall ...``, ``livepost replies hide``) call these; each call first asks whether the person may
(reading: anyone with access; hiding, pinning, blocking, hiding replies: an officer), before it
looks anything up, then is one short transaction on the shared database logged under the person's
identity, so a post hidden from the CLI is gone from the wall at its next refresh.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure
from livepost.errors import InputError
from livepost.store.wall import (
    Decision,
    LogEntry,
    WallPost,
    decisions,
    moderate,
    moderation_log,
    replies_in_our_threads,
    wall_posts,
)


class WallVerb(StrEnum):
    """What a moderator can do to a post (by URI) or an author (by handle or DID)."""

    HIDE = "hide"
    UNHIDE = "unhide"
    PIN = "pin"
    UNPIN = "unpin"
    BLOCK = "block"
    UNBLOCK = "unblock"

    @classmethod
    def parse(cls, value: str) -> WallVerb:
        try:
            return cls(value)
        except ValueError:
            verbs = ", ".join(v.value for v in cls)
            raise InputError(
                "action", f"unknown wall action {value!r}", hint=f"Use {verbs}."
            ) from None


class Wall(EventScope):
    """One event's wall, as the person asking sees and moderates it."""

    def posts(self, *, moderated: bool = True) -> list[WallPost]:
        """What the wall shows now (``moderated=False``, for officers: hidden ones and blocked
        authors too)."""
        ensure(self.actor, Action.READ if moderated else Action.MODERATE_WALL)
        wall = self.settings.wall
        with self.session() as (session, event):
            return wall_posts(
                session,
                event,
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

    def act(self, verb: WallVerb | str, target: str) -> bool:
        """hide / unhide / pin / unpin a post URI, block / unblock a handle or DID; logged under
        the actor's identity. False when it changed nothing (already so)."""
        ensure(self.actor, Action.MODERATE_WALL)  # before the verb or the target is looked at
        chosen = WallVerb.parse(str(verb))
        with self.session() as (session, event):
            changed = moderate(
                session, event, chosen.value, target, self.actor.label, self.actor.identity
            )
            if changed:
                self.audit(session, event, f"wall {chosen.value}", target.strip())
            return changed

    def decisions(self) -> list[Decision]:
        ensure(self.actor, Action.MODERATE_WALL)
        with self.session() as (session, event):
            return decisions(session, event)

    def log(self) -> list[LogEntry]:
        ensure(self.actor, Action.MODERATE_WALL)
        with self.session() as (session, event):
            return moderation_log(session, event)

    def replies(self) -> list[WallPost]:
        ensure(self.actor, Action.MODERATE_WALL)
        with self.session() as (session, event):
            return replies_in_our_threads(session, event)


class Replies(EventScope):
    """Replies in our threads: an officer hides one (written into the thread's threadgate)."""

    def hide(self, reply_uri: str) -> str:
        """Hide a reply (pending until the daemon or ``replies retry`` writes the gate); returns
        the thread's root URI."""
        from livepost.publish.gates import hide_reply

        ensure(self.actor, Action.HIDE_REPLY)  # before the reply is looked up
        uri = reply_uri.strip()
        root = hide_reply(
            self.engine,
            self.settings.event_key,
            uri,
            self.actor.label,
            self.settings.publish,
            actor_id=self.actor.identity,
        )
        with self.session() as (session, event):
            self.audit(session, event, "reply hide", uri, f"in the thread of {root}")
        return root
