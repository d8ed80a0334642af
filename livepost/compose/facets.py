"""Facet detection ported from the official client (``RichText.detectFacetsWithoutResolution``).

The reference is ``@atproto/api`` (``dist/rich-text/detection.js`` and ``util.js``); the version
is pinned by ``tests/parity/package-lock.json`` and ``tests/compose/test_parity.py`` compares
this module with it string by string. JavaScript and Python regular expressions differ in ways
that matter here, so the patterns spell out what the JavaScript engine does:

- JavaScript's ``\\s`` is a fixed set (WhiteSpace + LineTerminator), not Python's ``str.isspace``;
- ``\\d`` is ASCII only and ``\\b`` is an ASCII word boundary;
- ``[a-z]`` under the ``i`` flag without ``u`` matches ASCII letters only;
- ``$`` means the end of the string, never "before a final newline".

Offsets are UTF-8 bytes, start inclusive, end exclusive. Mentions carry the handle (resolved to
a DID at publish time), links the full URI, tags the tag without ``#``. Cashtags (``$AAPL``) are
tag facets in the official client, so they are here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import regex

from livepost.compose.text import grapheme_count
from livepost.compose.tlds import tlds

FacetType = Literal["tag", "link", "mention"]

# ECMAScript WhiteSpace (TAB VT FF SP NBSP ZWNBSP + category Zs) and LineTerminator.
_WS = r"\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Characters the official client treats as invisible separators inside tags.
_ZW = r"\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_LINE_START = r"(?:^|(?<=[\n\r\u2028\u2029]))"  # JavaScript ``^`` under the m flag

MENTION_REGEX = regex.compile(rf"(^|[{_WS}]|\()(@)([a-zA-Z0-9.-]+)(\b)", regex.ASCII)
URL_REGEX = regex.compile(
    rf"({_LINE_START}|[{_WS}]|\()"
    rf"(([hH][tT][tT][pP][sS]?://[^{_WS}]+)"
    rf"|((?P<domain>[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+)+)[^{_WS}]*))"
)
TAG_REGEX = regex.compile(
    rf"(^|[{_WS}])[#＃]"
    rf"((?!\ufe0f)[^{_WS}{_ZW}]*[^0-9{_WS}\p{{P}}{_ZW}]+[^{_WS}{_ZW}]*)?"
)
CASHTAG_REGEX = regex.compile(
    rf"(^|[{_WS}]|\()\$([A-Za-z][A-Za-z0-9]{{0,4}})(?=[{_WS}]|\Z|[.,;:!?)\"'\u2019])"
)
TRAILING_PUNCTUATION_REGEX = regex.compile(r"\p{P}+\Z")
# What String.prototype.trim removes: the same WhiteSpace + LineTerminator set as ``_WS``.
_TRIM = "\t\n\x0b\x0c\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
_TRIM += "\u2028\u2029\u202f\u205f\u3000\ufeff"
_TLDS = tlds()

MAX_TAG_GRAPHEMES = 64


@dataclass(frozen=True)
class Facet:
    """One rich-text feature over ``[byte_start, byte_end)`` of the post's UTF-8 text."""

    byte_start: int
    byte_end: int
    type: FacetType
    value: str

    def to_json(self) -> dict[str, int | str]:
        """The ``compose --json`` shape."""
        return {
            "byteStart": self.byte_start,
            "byteEnd": self.byte_end,
            "type": self.type,
            "value": self.value,
        }


def is_valid_domain(name: str) -> bool:
    """The official client's ``isValidDomain``: ends with ``.`` + a known TLD (case-sensitive)."""
    dot = name.rfind(".")
    return dot != -1 and name[dot + 1 :] in _TLDS


class _Offsets:
    """Code-point index to UTF-8 byte offset, cheap for ASCII text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()

    def __call__(self, index: int) -> int:
        if self.ascii:
            return index
        return len(self.text[:index].encode("utf-8"))


def detect_facets(text: str) -> list[Facet]:
    """Mentions, links and tags in ``text``, sorted by start as the official client sorts them."""
    to_bytes = _Offsets(text)
    facets: list[Facet] = []
    if "@" in text:
        facets.extend(_mentions(text, to_bytes))
    if "." in text or "//" in text:
        facets.extend(_links(text, to_bytes))
    if "#" in text or "＃" in text:
        facets.extend(_tags(text, to_bytes))
    if "$" in text:
        facets.extend(_cashtags(text, to_bytes))
    facets.sort(key=lambda f: f.byte_start)  # stable, like Array.prototype.sort
    return facets


def _mentions(text: str, to_bytes: _Offsets) -> list[Facet]:
    found = []
    for match in MENTION_REGEX.finditer(text):
        handle = match.group(3)
        if not is_valid_domain(handle) and not handle.endswith(".test"):
            continue  # probably not a handle
        start = match.start(3) - 1
        found.append(Facet(to_bytes(start), to_bytes(match.end(3)), "mention", handle))
    return found


_URL_BODY = regex.compile(
    rf"[hH][tT][tT][pP][sS]?://[^{_WS}]+"
    rf"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+)+)[^{_WS}]*"
)
# Whitespace to Python's str.split() but not to JavaScript, or the other way round.
_SPLIT_DIFFERS = regex.compile(r"[\x1c-\x1f\x85\ufeff]")


def _link_starts(text: str) -> list[int] | None:
    """Where URL_REGEX's second group can start: a word start or just after a ``(``.

    Every match of URL_REGEX runs to the end of its word, so one word holds at most one link,
    and only words with a dot or a colon can hold one. None when Python's idea of whitespace
    differs from JavaScript's on this text (then the full regular expression is used).
    """
    if _SPLIT_DIFFERS.search(text):
        return None
    starts = []
    cursor = 0
    for word in text.split():
        if "." not in word and ":" not in word:
            continue
        at = text.find(word, cursor)
        cursor = at + len(word)
        starts.append(at)
        paren = word.find("(")
        while paren != -1:
            starts.append(at + paren + 1)
            paren = word.find("(", paren + 1)
    return starts


def _links(text: str, to_bytes: _Offsets) -> list[Facet]:
    starts = _link_starts(text)
    spans: list[tuple[int, int, str | None]] = []
    if starts is None:
        for found in URL_REGEX.finditer(text):
            spans.append((found.start(2), found.end(2), found.group("domain")))
    else:
        word_end = -1
        for start in starts:
            if start < word_end:
                continue  # inside a link already found
            body = _URL_BODY.match(text, start)
            if body:
                spans.append((start, body.end(), body.group("domain")))
                word_end = body.end()
    found_facets = []
    for start, end, domain in spans:
        uri = text[start:end]
        if not uri.startswith("http"):
            if not domain or not is_valid_domain(domain):
                continue
            uri = f"https://{uri}"
        if uri[-1] in ".,;:!?":
            uri = uri[:-1]
            end -= 1
        if uri.endswith(")") and "(" not in uri:
            uri = uri[:-1]
            end -= 1
        found_facets.append(Facet(to_bytes(start), to_bytes(end), "link", uri))
    return found_facets


_TAG_BODY = regex.compile(rf"(?!\ufe0f)[^{_WS}{_ZW}]*[^0-9{_WS}\p{{P}}{_ZW}]+[^{_WS}{_ZW}]*")
_WS_SET = frozenset(_TRIM)


def _tags(text: str, to_bytes: _Offsets) -> list[Facet]:
    """TAG_REGEX, found by looking only at each ``#``/``＃`` that starts a word."""
    found = []
    for mark in "#＃":
        at = text.find(mark)
        while at != -1:
            if at == 0 or text[at - 1] in _WS_SET:
                body = _TAG_BODY.match(text, at + 1)
                if body:
                    tag = body.group().strip(_TRIM)
                    if not tag[-1].isalnum():
                        tag = TRAILING_PUNCTUATION_REGEX.sub("", tag)
                    if tag and not (
                        len(tag) > MAX_TAG_GRAPHEMES and grapheme_count(tag) > MAX_TAG_GRAPHEMES
                    ):
                        found.append(Facet(to_bytes(at), to_bytes(at + 1 + len(tag)), "tag", tag))
            at = text.find(mark, at + 1)
    if len(found) > 1 and "＃" in text:
        found.sort(key=lambda f: f.byte_start)
    return found


def _cashtags(text: str, to_bytes: _Offsets) -> list[Facet]:
    found = []
    for match in CASHTAG_REGEX.finditer(text):
        ticker = match.group(2).upper()
        start = match.end(1)
        found.append(Facet(to_bytes(start), to_bytes(start + 1 + len(ticker)), "tag", f"${ticker}"))
    return found
