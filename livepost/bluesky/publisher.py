"""The Bluesky publisher: createRecord with livepost's own rkey, getRecord, uploadBlob, handles.

Records and blob refs travel as lexicon JSON, as :mod:`livepost.publish.records` builds them.
``applyWrites`` (atomic threads) sends that JSON byte for byte, bypassing the SDK's models (they
add ``$type`` to nested objects), so the PDS stores exactly the record whose CID was precomputed.
Every SDK failure becomes one of the publisher outcomes (:mod:`livepost.bluesky.errors`); the
SDK itself never retries, so neither does this class: the delivery loop decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from atproto import Client, models
from atproto.exceptions import RequestErrorBase

from livepost.bluesky.errors import CALL_ERRORS, classify, error_parts
from livepost.publish.base import (
    MAX_WRITES,
    POST_COLLECTION,
    Blob,
    StrongRef,
    UnknownOutcome,
)
from livepost.publish.lock import WriterLock

T = TypeVar("T")


class BlueskyPublisher:
    """A :class:`~livepost.publish.base.Publisher` for one logged-in account on any PDS."""

    dry_run: bool = False

    def __init__(self, client: Client, *, lock: WriterLock | None = None) -> None:
        session = client._session
        if session is None:
            raise ValueError("the client must be logged in")
        self.client = client
        self._did: str = session.did
        self.handle: str = session.handle
        self.service: str = client._base_url.removesuffix("/xrpc")
        self.lock = lock

    @property
    def did(self) -> str:
        return self._did

    @property
    def read_client(self) -> Client:
        """The logged-in client, for the archive's and the wall's reads."""
        return self.client

    def _call(self, what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except CALL_ERRORS as exc:
            raise classify(exc, what, account=self.handle, service=self.service) from exc

    def create_record(self, rkey: str, record: dict[str, Any]) -> StrongRef:
        data = {"repo": self._did, "collection": POST_COLLECTION, "rkey": rkey, "record": record}
        response = self._call(
            "createRecord", lambda: self.client.com.atproto.repo.create_record(data)
        )
        return StrongRef(response.uri, response.cid)

    def apply_writes(self, creates: list[tuple[str, dict[str, Any]]]) -> list[StrongRef]:
        """One ``applyWrites`` call creating every ``(rkey, record)``, all or nothing."""
        if not 0 < len(creates) <= MAX_WRITES:
            raise ValueError(f"applyWrites takes 1 to {MAX_WRITES} writes, not {len(creates)}")
        body = {
            "repo": self._did,
            "writes": [
                {
                    "$type": "com.atproto.repo.applyWrites#create",
                    "collection": POST_COLLECTION,
                    "rkey": rkey,
                    "value": record,
                }
                for rkey, record in creates
            ],
        }
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

        def call() -> models.ComAtprotoRepoApplyWrites.Response:
            response = self.client.invoke_procedure(
                "com.atproto.repo.applyWrites",
                content=content,
                input_encoding="application/json",
                output_encoding="application/json",
            )
            return models.ComAtprotoRepoApplyWrites.Response.model_validate(response.content)

        response = self._call("applyWrites", call)
        refs = [
            StrongRef(result.uri, result.cid)
            for result in response.results or []
            if isinstance(result, models.ComAtprotoRepoApplyWrites.CreateResult)
        ]
        if len(refs) != len(creates):
            raise UnknownOutcome(
                f"applyWrites: the PDS answered with {len(refs)} results for {len(creates)} posts"
            )
        return refs

    def put_record(self, collection: str, rkey: str, record: dict[str, Any]) -> StrongRef:
        """Create or replace a record of another collection (a threadgate, a postgate)."""
        data = {"repo": self._did, "collection": collection, "rkey": rkey, "record": record}
        response = self._call("putRecord", lambda: self.client.com.atproto.repo.put_record(data))
        return StrongRef(response.uri, response.cid)

    def get_record(self, rkey: str) -> StrongRef | None:
        params = {"repo": self._did, "collection": POST_COLLECTION, "rkey": rkey}

        def call() -> StrongRef | None:
            try:
                response = self.client.com.atproto.repo.get_record(params)
            except RequestErrorBase as exc:
                status, name, _ = error_parts(exc)
                if status == 400 and name == "RecordNotFound":
                    return None
                raise
            if response.cid is None:
                return None
            return StrongRef(response.uri, response.cid)

        return self._call("getRecord", call)

    def upload_blob(self, data: bytes, mime: str) -> Blob:
        response = self._call(
            "uploadBlob",
            lambda: self.client.com.atproto.repo.upload_blob(data, headers={"Content-Type": mime}),
        )
        blob: Blob = response.blob.model_dump(by_alias=True, exclude_none=True)
        return blob

    def resolve_handle(self, handle: str) -> str | None:
        def call() -> str | None:
            try:
                response = self.client.com.atproto.identity.resolve_handle(
                    {"handle": handle.lstrip("@")}
                )
            except RequestErrorBase as exc:
                status, _, _message = error_parts(exc)
                if status == 400:  # "Unable to resolve handle", or no valid handle at all:
                    return None  # the mention stays plain text; the post still goes out
                raise
            return str(response.did)

        return self._call("resolveHandle", call)

    def close(self) -> None:
        """Release the writer lock (also released when the process ends)."""
        if self.lock is not None:
            self.lock.release()
