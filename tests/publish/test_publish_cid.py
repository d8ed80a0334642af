"""Record CIDs computed locally are the CIDs the PDS gives (atomic threads depend on it).

The shapes below are posts livepost sends: plain text, facets, langs, tags, a reply, images, a
link card, a quote and a quote with images. The golden CIDs were given by the local PDS to these
exact records; the network test checks them again, for records created both through the SDK's
``createRecord`` (which adds ``$type`` to nested objects) and through livepost's ``applyWrites``.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest

from livepost.bluesky.publisher import BlueskyPublisher
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.outbox.tid import mint_tid
from livepost.publish.cid import encode_record, record_cid
from livepost.run.assemble import make_publisher
from tests.publish_helpers import make_event

POST = "app.bsky.feed.post"
CREATED = "2026-06-18T09:00:00.000Z"
PNG = base64.b64decode(  # a 2x1 red PNG: its blob CID never changes
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGP8z8DAwMAAAAYIAQHLR3Z1AAAAAElFTkSuQmCC"
)
BLOB_CID = "bafkreidplgb5rhp4xv5jnfegezgcf6avew7cduvwkclxwn3aallxdznmci"
TARGET = {  # any strong ref: the PDS does not check that it exists
    "uri": "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3l6oveex3ii2l",
    "cid": "bafyreibuubaalpfpebxozgil3frx3h63m4s6biga2sxl6ab7c72msvxllq",
}


def _blob() -> dict[str, Any]:
    return {"$type": "blob", "ref": {"$link": BLOB_CID}, "mimeType": "image/png", "size": len(PNG)}


def _images() -> dict[str, Any]:
    return {
        "$type": "app.bsky.embed.images",
        "images": [
            {"image": _blob(), "alt": "A red dot", "aspectRatio": {"width": 2, "height": 1}}
        ],
    }


def _post(text: str, **fields: Any) -> dict[str, Any]:
    return {"$type": POST, "text": text, "createdAt": CREATED, **fields}


SHAPES: dict[str, dict[str, Any]] = {
    "plain": _post("Hello from livepost"),
    "facets": _post(
        "café #ünïcode with @bob.test at example.com/x",
        facets=[
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": 6, "byteEnd": 16},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "ünïcode"}],
            },
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": 22, "byteEnd": 31},
                "features": [
                    {
                        "$type": "app.bsky.richtext.facet#mention",
                        "did": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
                    }
                ],
            },
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": 35, "byteEnd": 48},
                "features": [
                    {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x"}
                ],
            },
        ],
    ),
    "langs_tags": _post("Tagged 🎉", langs=["en-GB", "fr"], tags=["livepost", "ccpr"]),
    "reply": _post("A reply", reply={"root": TARGET, "parent": TARGET}),
    "images": _post("A picture", embed=_images()),
    "external": _post(
        "A link card",
        embed={
            "$type": "app.bsky.embed.external",
            "external": {
                "uri": "https://example.com/talk",
                "title": "The Talk",
                "description": "",
                "thumb": _blob(),
            },
        },
    ),
    "quote": _post("Quoting", embed={"$type": "app.bsky.embed.record", "record": TARGET}),
    "quote_images": _post(
        "Quoting with a picture",
        embed={
            "$type": "app.bsky.embed.recordWithMedia",
            "record": {"$type": "app.bsky.embed.record", "record": TARGET},
            "media": _images(),
        },
    ),
}

#: what the local PDS gave each shape (see the network test below)
GOLDEN = {
    "plain": "bafyreihtyvf3pn7qmb4nc5jyapomkqdlklpep6v6qislwu7vtts7qovdeu",
    "facets": "bafyreif6iac5pkdlahnlifngmebofbrn2n7szxpuk3kqt6usivs2wgomwe",
    "langs_tags": "bafyreia4xeqalmsmlm5qvpzmh6r6dt5qpvsrdv7r5e7yxwgfun6stpsg6y",
    "reply": "bafyreif324vvp6htzqln7qa2qnlohpec2rdsoxkewj43ne72ugbwgfw5b4",
    "images": "bafyreiflwmheavtk7dtloa6cw7fvwfiinbrcpwdk3uhfeczpfde4rbcrau",
    "external": "bafyreialjozuygyuct4wafjae22mell4sqxlwooe5qmqkeganft6b2rfbe",
    "quote": "bafyreic7dtif4m4xf42ytzs44kea6e3kwdus7q3hrs7gqnsodn7qin2obe",
    "quote_images": "bafyreiaprhzpkcccbufte34aadyo44ono25osn7xtnbx3vb75rh3c44kwi",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_cid_of_each_shape_is_the_one_the_pds_gave(shape: str) -> None:
    assert record_cid(SHAPES[shape]) == GOLDEN[shape]


def test_json_numbers_nulls_and_key_order_do_not_change_the_cid() -> None:
    record = SHAPES["images"]
    reordered = dict(reversed(list(record.items())))
    reordered["embed"] = {
        "$type": "app.bsky.embed.images",
        "images": [
            {
                "aspectRatio": {"height": 1.0, "width": 2.0},  # JSON: the same integers
                "alt": "A red dot",
                "image": {**_blob(), "size": float(len(PNG))},
            }
        ],
    }
    reordered["labels"] = None  # the SDK leaves None out; so does the encoder
    assert record_cid(reordered) == record_cid(record) == GOLDEN["images"]
    assert encode_record(reordered) == encode_record(record)


def test_what_a_record_cannot_hold_is_named() -> None:
    with pytest.raises(ValueError) as fraction:
        record_cid(_post("x", embed={"aspectRatio": {"width": 1.5}}))
    assert str(fraction.value) == (
        "record.embed.aspectRatio.width: 1.5 is not an integer (records cannot hold fractions)"
    )
    with pytest.raises(ValueError) as raw:
        record_cid(_post("x", blob={"$bytes": "AAE="}))
    assert str(raw.value) == "record.blob: raw bytes ($bytes) are not supported in posts"
    with pytest.raises(ValueError) as other:
        record_cid(_post("x", langs={"en"}))
    assert str(other.value) == "record.langs: a set cannot be part of a record"


def _raw_record(network: LocalNetwork, did: str, rkey: str) -> dict[str, Any]:
    response = httpx.get(
        f"{network.pds_url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": did, "collection": POST, "rkey": rkey},
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def test_the_pds_gives_the_computed_cids(bluesky_network: LocalNetwork, tmp_path: Path) -> None:
    settings = make_event(tmp_path / "event", bluesky_network, "carol")
    publisher = make_publisher(settings)
    assert isinstance(publisher, BlueskyPublisher)
    try:
        assert publisher.upload_blob(PNG, "image/png")["ref"] == {"$link": BLOB_CID}
        names = sorted(SHAPES)
        # through the SDK's createRecord: what is stored is the SDK's JSON, its CID is ours too
        for name in names:
            rkey = mint_tid()
            ref = publisher.create_record(rkey, SHAPES[name])
            raw = _raw_record(bluesky_network, publisher.did, rkey)
            assert raw["cid"] == ref.cid == record_cid(raw["value"]), name
        # through applyWrites: exactly our records, so exactly the golden CIDs
        rkeys = [mint_tid() for _ in names]
        refs = publisher.apply_writes(
            [(rkey, SHAPES[n]) for rkey, n in zip(rkeys, names, strict=True)]
        )
    finally:
        publisher.close()
    carol = bluesky_network.account("carol")
    assert [ref.uri for ref in refs] == [f"at://{carol.did}/{POST}/{rkey}" for rkey in rkeys]
    assert {n: ref.cid for n, ref in zip(names, refs, strict=True)} == GOLDEN
    for name, rkey in zip(names, rkeys, strict=True):
        raw = _raw_record(bluesky_network, carol.did, rkey)
        assert raw["value"] == SHAPES[name]
        assert raw["cid"] == GOLDEN[name]
