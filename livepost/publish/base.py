"""What the pipeline knows about the network: the :class:`Publisher` protocol and its outcomes.

Records and blobs travel as lexicon JSON (``{"$type": "app.bsky.feed.post", ...}``, a blob as
``{"$type": "blob", "ref": {"$link": cid}, "mimeType": ..., "size": ...}``), so a publisher
needs no model classes and the dry run shows exactly what would be sent.

Every publisher call either returns or raises one of four outcomes, because each one asks the
delivery loop for a different reaction: :class:`UnknownOutcome` (verify by rkey, then retry),
:class:`RateLimited` (wait until the reset), :class:`Rejected` (the row fails, the queue goes
on), :class:`AuthFailure` (stop: nothing can be sent until the user logs in again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from livepost.errors import ConfigError, LivepostError, NetworkError

POST_COLLECTION = "app.bsky.feed.post"
#: writes ``com.atproto.repo.applyWrites`` takes in one call
MAX_WRITES = 200

#: a blob reference as the record embeds it
Blob = dict[str, Any]


@dataclass(frozen=True)
class StrongRef:
    """``{uri, cid}`` of a record: what replies and quotes point at."""

    uri: str
    cid: str

    def to_json(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}

    @property
    def rkey(self) -> str:
        return self.uri.rsplit("/", 1)[-1]


@runtime_checkable
class Publisher(Protocol):
    """The only thing the pipeline knows about the network (one account, one repository).

    ``dry_run`` is True for the publisher that sends nothing; ``close()`` releases what the
    publisher holds (the account's writer lock). A run decides from these two members, when it
    is assembled, which of its jobs exist (no archive, wall or gates in a dry run).
    """

    dry_run: bool

    @property
    def did(self) -> str:
        """The DID of the repository records are written to."""
        ...

    @property
    def read_client(self) -> object | None:
        """The logged-in client the archive and the wall read Bluesky with, None when there is
        none (the dry run). It is the publisher's own session: one session per account, so the
        rotating refresh token is never used twice."""
        ...

    def create_record(self, rkey: str, record: dict[str, Any]) -> StrongRef:
        """Create ``record`` in ``app.bsky.feed.post`` at the chosen ``rkey``."""
        ...

    def get_record(self, rkey: str) -> StrongRef | None:
        """The post at ``rkey`` in our repository, or None when there is none."""
        ...

    def upload_blob(self, data: bytes, mime: str) -> Blob:
        """Upload an image; the returned blob ref goes into the record."""
        ...

    def resolve_handle(self, handle: str) -> str | None:
        """The DID of ``handle``, or None when no account has it."""
        ...

    def close(self) -> None:
        """Release the account (the writer lock); the publisher is not used afterwards."""
        ...


@runtime_checkable
class BatchPublisher(Publisher, Protocol):
    """A publisher that can also create several posts in one all-or-nothing call (optional).

    Atomic threads need it: the delivery loop computes each record's CID beforehand, so replies
    can point at posts created in the same call.
    """

    def apply_writes(self, creates: list[tuple[str, dict[str, Any]]]) -> list[StrongRef]:
        """Create every ``(rkey, record)`` in ``app.bsky.feed.post`` at once, or none of them;
        the strong refs come back in the same order."""
        ...


@runtime_checkable
class GatePublisher(Publisher, Protocol):
    """A publisher that can also write a threadgate or postgate (optional: reply control)."""

    def put_record(self, collection: str, rkey: str, record: dict[str, Any]) -> StrongRef:
        """Create or replace ``record`` in ``collection`` at ``rkey`` (``putRecord``)."""
        ...


class PublishError(NetworkError):
    """Base of the outcomes a publisher call can end in, other than success."""


class UnknownOutcome(PublishError):
    """Timeout, connection error or HTTP 5xx: the write may or may not have happened."""


class RateLimited(PublishError):
    """HTTP 429: nothing was done; try again at ``reset_at`` (from ``RateLimit-Reset``)."""

    def __init__(self, message: str, *, reset_at: datetime | None = None) -> None:
        super().__init__(message, hint="livepost waits for the limit to reset, then goes on.")
        self.reset_at = reset_at


class Rejected(PublishError):
    """HTTP 4xx other than 429 and auth: the server refused this record or blob (``reason``)."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class AuthFailure(ConfigError, PublishError):  # type: ignore[misc]
    """Wrong password, expired or revoked session: nothing can be sent until a new login."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        LivepostError.__init__(self, message, hint=hint or "Log in again with: livepost login")
