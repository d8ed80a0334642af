"""The dry-run publisher: every record rendered exactly as it would be sent, nothing sent.

Used without credentials, with ``--dry-run``, by the demo, and by tests about the outbox. Strong
refs point at ``at://did:plc:dryrun/app.bsky.feed.post/<rkey>`` with the CID the PDS would give
the record (:mod:`livepost.publish.cid`, the one CID implementation), so replies and quotes are
the real thing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from livepost.model.posts import PostState
from livepost.publish.base import MAX_WRITES, POST_COLLECTION, Blob, StrongRef
from livepost.publish.cid import blob_cid, record_cid

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from livepost.store.models import EventRow

DRY_RUN_DID = "did:plc:dryrun"


def fake_did(handle: str) -> str:
    """A stable, well-formed placeholder DID for a handle (24 base32 characters)."""
    digest = hashlib.sha256(handle.lower().encode()).digest()
    return "did:plc:" + base64.b32encode(digest).decode().lower()[:24]


@dataclass(frozen=True)
class SentRecord:
    """One record the dry run "created", in order."""

    rkey: str
    ref: StrongRef
    record: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"uri": self.ref.uri, "cid": self.ref.cid, "record": self.record}


class DryRunPublisher:
    """A :class:`~livepost.publish.base.Publisher` that keeps what it is given.

    ``handles`` maps handles to DIDs; any other handle resolves to :func:`fake_did` unless
    ``unknown_handles`` lists it (then it does not resolve, like a handle nobody has).
    """

    dry_run: bool = True

    def __init__(
        self,
        handles: dict[str, str] | None = None,
        unknown_handles: tuple[str, ...] = (),
        did: str = DRY_RUN_DID,
        echo: Callable[[SentRecord], None] | None = None,
    ) -> None:
        self._did = did
        self.echo = echo  # called with each record as it is "sent" (the daemon prints it)
        self.handles = {k.lower(): v for k, v in (handles or {}).items()}
        self.unknown_handles = {h.lower() for h in unknown_handles}
        self.records: list[SentRecord] = []
        self.blobs: list[Blob] = []
        self._by_rkey: dict[str, SentRecord] = {}

    @property
    def did(self) -> str:
        return self._did

    @property
    def read_client(self) -> object | None:
        """Nothing is read from Bluesky in a dry run."""
        return None

    def create_record(self, rkey: str, record: dict[str, Any]) -> StrongRef:
        ref = StrongRef(f"at://{self._did}/{POST_COLLECTION}/{rkey}", record_cid(record))
        sent = SentRecord(rkey, ref, record)
        self.records.append(sent)
        self._by_rkey[rkey] = sent
        if self.echo is not None:
            self.echo(sent)
        return ref

    def apply_writes(self, creates: list[tuple[str, dict[str, Any]]]) -> list[StrongRef]:
        """Keep a whole thread at once, with the CIDs the PDS would give its records."""
        if not 0 < len(creates) <= MAX_WRITES:
            raise ValueError(f"applyWrites takes 1 to {MAX_WRITES} writes, not {len(creates)}")
        refs: list[StrongRef] = []
        for rkey, record in creates:
            ref = StrongRef(f"at://{self._did}/{POST_COLLECTION}/{rkey}", record_cid(record))
            sent = SentRecord(rkey, ref, record)
            self.records.append(sent)
            self._by_rkey[rkey] = sent
            if self.echo is not None:
                self.echo(sent)
            refs.append(ref)
        return refs

    def get_record(self, rkey: str) -> StrongRef | None:
        sent = self._by_rkey.get(rkey)
        return sent.ref if sent else None

    def upload_blob(self, data: bytes, mime: str) -> Blob:
        blob: Blob = {
            "$type": "blob",
            "ref": {"$link": blob_cid(data)},
            "mimeType": mime,
            "size": len(data),
        }
        self.blobs.append(blob)
        return blob

    def resolve_handle(self, handle: str) -> str | None:
        key = handle.lower().lstrip("@")
        if key in self.unknown_handles:
            return None
        return self.handles.get(key) or fake_did(key)

    def close(self) -> None:
        """Nothing to release (same shape as the Bluesky publisher)."""

    def render(self) -> str:
        """Every record so far as indented JSON, for printing."""
        return json.dumps([r.to_json() for r in self.records], indent=2, ensure_ascii=False)


def is_dry_run_uri(uri: str | None) -> bool:
    return bool(uri) and str(uri).startswith(f"at://{DRY_RUN_DID}/")


def forget_dry_run(session: Session, event: EventRow) -> int:
    """Queue again the posts a dry run marked posted, so that a real run sends them.

    A dry run moves rows to ``posted`` with placeholder URIs (that is how its replies get their
    strong refs). Call this before the first real run after a rehearsal; returns how many rows.
    """
    from livepost.outbox.queries import posted_under

    rows = posted_under(session, event, f"at://{DRY_RUN_DID}/")
    count = 0
    for row in rows:
        row.state, row.uri, row.cid, row.sent_at = PostState.QUEUED, None, None, None
        count += 1
    return count
