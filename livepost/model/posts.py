"""The states and kinds of an outbox row, as types: never compare them as raw strings.

``sending`` means a network call may have happened: the outcome is unknown until the PDS is asked
for the record at the row's ``rkey``. This module imports nothing of livepost's, so the storage
layer can type its column with it.
"""

from __future__ import annotations

from enum import StrEnum


class PostState(StrEnum):
    """Where an outbox row is in its life (stored as its lower-case value)."""

    QUEUED = "queued"
    SENDING = "sending"
    POSTED = "posted"
    FAILED = "failed"
    CANCELLED = "cancelled"
    MISSED = "missed"


#: states a row can still leave by being sent (and that the officer may edit or cancel)
UNSENT: frozenset[PostState] = frozenset({PostState.QUEUED, PostState.FAILED, PostState.MISSED})
#: states that end a row's life
FINAL: frozenset[PostState] = frozenset({PostState.POSTED, PostState.CANCELLED})
#: states shown as "still to send" (queue list, the console's queue)
PENDING: frozenset[PostState] = UNSENT | {PostState.SENDING}


class PostKind(StrEnum):
    """What a post is (also the name of its template); stored as its value, so the database
    keeps the plain strings it always had."""

    DAY_OPENING = "day_opening"
    ANNOUNCEMENT = "announcement"
    CORRECTION = "correction"
    TALK_STARTING = "talk_starting"
    SNIPPET = "snippet"
    WRAPUP = "wrapup"
    DAY_CLOSING = "day_closing"
    FREE = "free"


#: the kinds the planner makes, in the order posts due at the same moment go out
PLANNED_KINDS: tuple[PostKind, ...] = (
    PostKind.DAY_OPENING,
    PostKind.ANNOUNCEMENT,
    PostKind.CORRECTION,
    PostKind.SNIPPET,
    PostKind.WRAPUP,
    PostKind.DAY_CLOSING,
)
