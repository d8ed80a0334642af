"""A record's CID computed locally, exactly as the PDS will compute it when it stores the record.

A thread sent in one ``applyWrites`` call needs the strong refs (``{uri, cid}``) of its earlier
posts before any of them exists, so the CIDs are computed here: the record's lexicon JSON is
turned into the IPLD data model the way the PDS reads JSON (``{"$link": cid}`` is a CID link, a
JSON number is an integer, ``null`` fields are left out as the SDK leaves them out), encoded as
DAG-CBOR (``libipld``, an SDK dependency) and hashed into a CIDv1 (dag-cbor codec, sha-256).
The delivery loop checks every CID the PDS returns against these.
"""

from __future__ import annotations

import hashlib
from typing import Any

import libipld

_DAG_CBOR, _RAW, _SHA256 = 0x71, 0x55, 0x12


def to_ipld(value: Any, path: str = "record") -> Any:
    """Lexicon JSON -> IPLD data model values ``libipld`` encodes (links as binary CIDs).

    Raises ``ValueError`` naming the field for what a post cannot hold (a fractional number,
    raw ``$bytes``, an object that is not JSON).
    """
    if isinstance(value, dict):
        if set(value) == {"$link"} and isinstance(value["$link"], str):
            _, raw = libipld.decode_multibase(value["$link"])
            return raw  # libipld encodes bytes that are a CID as a link (tag 42)
        if "$bytes" in value:
            raise ValueError(f"{path}: raw bytes ($bytes) are not supported in posts")
        return {
            key: to_ipld(item, f"{path}.{key}") for key, item in value.items() if item is not None
        }
    if isinstance(value, (list, tuple)):
        return [to_ipld(item, f"{path}.{n}") for n, item in enumerate(value)]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)  # JSON has one number type: 800.0 arrives as the integer 800
        raise ValueError(f"{path}: {value} is not an integer (records cannot hold fractions)")
    raise ValueError(f"{path}: a {type(value).__name__} cannot be part of a record")


def encode_record(record: dict[str, Any]) -> bytes:
    """The record's DAG-CBOR block, as the PDS stores it."""
    block: bytes = libipld.encode_dag_cbor(to_ipld(record))
    return block


def record_cid(record: dict[str, Any]) -> str:
    """The CID (``bafyrei...``) the PDS will give ``record``."""
    digest = hashlib.sha256(encode_record(record)).digest()
    return libipld.encode_cid(bytes([1, _DAG_CBOR, _SHA256, len(digest)]) + digest)


def blob_cid(data: bytes) -> str:
    """The CID (``bafkrei...``) the PDS gives an uploaded blob: raw codec, sha-256."""
    digest = hashlib.sha256(data).digest()
    return libipld.encode_cid(bytes([1, _RAW, _SHA256, len(digest)]) + digest)
