"""livepost's facets and grapheme counts against the official client, string by string.

Runs ``tests/parity/facets.mjs`` (``@atproto/api``'s ``RichText``, pinned by the committed
lockfile) under Node over ``tests/parity/corpus.json`` and requires zero differences.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from livepost.compose.facets import detect_facets
from livepost.compose.shorten import to_short_url
from livepost.compose.text import grapheme_count
from livepost.compose.tlds import tlds, tlds_version

PARITY = Path(__file__).resolve().parents[1] / "parity"
CORPUS: list[str] = json.loads((PARITY / "corpus.json").read_text(encoding="utf-8"))


def ensure_node_modules() -> None:
    """``npm ci`` from the committed lockfile, once; skip only when Node itself is missing."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node and npm are not installed: cannot run @atproto/api for parity")
    if not (PARITY / "node_modules" / "@atproto" / "api").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=PARITY, check=True, capture_output=True
        )


def reference(texts: list[str]) -> list[dict[str, Any]]:
    ensure_node_modules()
    done = subprocess.run(
        ["node", "facets.mjs"],
        cwd=PARITY,
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def official() -> list[dict[str, Any]]:
    return reference(CORPUS)


def test_corpus_is_big_and_varied() -> None:
    assert len(CORPUS) >= 300
    assert len(set(CORPUS)) == len(CORPUS)
    for needle in [
        "#2026",
        "＃タグ",
        "#" + "a" * 64,
        "#" + "a" * 65,
        "\u200d",
        "🇬🇧",
        "क्ष",
        "ไทย",
        "ᄀ",
    ]:
        assert any(needle in text for text in CORPUS), needle


def test_grapheme_counts_match(official: list[dict[str, Any]]) -> None:
    diffs = [
        (text, grapheme_count(text), ref["graphemes"])
        for text, ref in zip(CORPUS, official, strict=True)
        if grapheme_count(text) != ref["graphemes"]
    ]
    assert diffs == []


def test_facets_match(official: list[dict[str, Any]]) -> None:
    diffs = []
    for text, ref in zip(CORPUS, official, strict=True):
        mine = [f.to_json() for f in detect_facets(text)]
        if mine != ref["facets"]:
            diffs.append((text, mine, ref["facets"]))
    assert diffs == []
    # The corpus exercises every kind of facet, so equality above means something.
    kinds = {f["type"] for ref in official for f in ref["facets"]}
    assert kinds == {"tag", "link", "mention"}
    assert sum(len(ref["facets"]) for ref in official) > 300


def test_link_shortening_matches_the_app(official: list[dict[str, Any]]) -> None:
    diffs = []
    for text, ref in zip(CORPUS, official, strict=True):
        data = text.encode("utf-8")
        links = [f for f in ref["facets"] if f["type"] == "link"]
        mine = [to_short_url(data[f["byteStart"] : f["byteEnd"]].decode()) for f in links]
        if mine != ref["shortUrls"]:
            diffs.append((text, mine, ref["shortUrls"]))
    assert diffs == []
    assert any(short.endswith("...") for ref in official for short in ref["shortUrls"])


def test_tld_list_is_the_one_atproto_uses() -> None:
    ensure_node_modules()
    package = PARITY / "node_modules" / "tlds"
    assert json.loads((package / "package.json").read_text())["version"] == tlds_version()
    assert set(json.loads((package / "index.json").read_text(encoding="utf-8"))) == tlds()


def test_examples_from_the_seed_feed() -> None:
    """Known answers, independent of Node: the shapes design.md promises."""
    text = "#ccprconf26 has now concluded!\nwww.linkedin.com/company/cant... @alice.bsky.social"
    assert [f.to_json() for f in detect_facets(text)] == [
        {"byteStart": 0, "byteEnd": 11, "type": "tag", "value": "ccprconf26"},
        {
            "byteStart": 31,
            "byteEnd": 62,
            "type": "link",
            "value": "https://www.linkedin.com/company/cant..",
        },
        {"byteStart": 64, "byteEnd": 82, "type": "mention", "value": "alice.bsky.social"},
    ]
    assert detect_facets("#2026") == []
    assert [f.value for f in detect_facets("＃タグ")] == ["タグ"]
    assert [f.value for f in detect_facets("#" + "a" * 64 + " #" + "b" * 65)] == ["a" * 64]
