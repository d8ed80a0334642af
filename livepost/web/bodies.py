"""Request bodies read with limits, so that no body can turn into a 500 or a dropped connection.

A JSON body must say ``Content-Type: application/json`` (UTF-8, the only charset JSON has), is
read with a size cap (refused by ``Content-Length`` first, counted while it streams in when it is
chunked), must be UTF-8, may nest at most :data:`MAX_DEPTH` arrays and objects (checked before it
is parsed: Python's parser recurses), may hold no number longer than :data:`MAX_NUMBER_CHARS`
characters (Python refuses to read an integer of more than 4,300 digits, and a long one is slow
to convert), no lone surrogate (``"\\ud800"`` is valid JSON but not text: it cannot be stored or
sent) and no NUL (PostgreSQL stores none in text), and must be an object. Each refusal is a
:class:`BadRequest` (400) or :class:`BodyTooLarge` (413) with a message that says which limit it
hit.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from starlette.requests import Request
from starlette.types import Message

from livepost.web.errors import BadRequest, BodyTooLarge

JSON_TYPE = "application/json"
MAX_DEPTH = 20
#: a 64-bit integer with its sign, or a float with 17 significant digits and an exponent
MAX_NUMBER_CHARS = 32
NOT_JSON_HINT = 'Send e.g. {"text": "..."}.'

#: the characters that open or close arrays, objects and strings (and escape inside strings)
_MARKS = re.compile(r'[\[\]{}"\\]')
#: not text anywhere: a lone surrogate (cannot be encoded), NUL (PostgreSQL refuses it in text)
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    """The request's media type (lower case, ``""`` for none) and its parameters."""
    kind, *params = request.headers.get("content-type", "").split(";")
    found: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        found[name.strip().lower()] = value.strip().strip('"')
    return kind.strip().lower(), found


def capped(request: Request, cap: int) -> Request:
    """The request, reading whose body raises :class:`BodyTooLarge` past ``cap`` bytes.

    The server reads (and drops) the rest of a refused body, so the client still gets the 413.
    """
    length = request.headers.get("content-length", "")
    too_large = f"the body is larger than {_size(cap)}"
    if length.isdigit() and int(length) > cap:
        raise BodyTooLarge(too_large)
    seen = 0
    receive = request.receive

    async def counting() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise BodyTooLarge(too_large)
        return message

    return Request(request.scope, counting)


def _size(cap: int) -> str:
    return f"{cap // 1024 // 1024} MB" if cap >= 1024 * 1024 else f"{cap // 1024} KB"


def check_json_type(request: Request) -> None:
    """Refuse a body declared as anything but JSON in UTF-8 (before a byte of it is read)."""
    kind, params = media_type(request)
    if kind and kind != JSON_TYPE:
        raise BadRequest(f"the body must be sent as {JSON_TYPE}, not {kind}")
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise BadRequest(f"JSON is read as UTF-8, not {charset}")


async def read_json(request: Request, cap: int) -> dict[str, Any]:
    """The request's JSON object (``{}`` for an empty body), read within every limit above."""
    check_json_type(request)
    raw = await capped(request, cap).body()
    if not raw:
        return {}
    if not request.headers.get("content-type"):
        raise BadRequest(f"the body must be sent as {JSON_TYPE} (no Content-Type was given)")
    return parse_json(raw)


def parse_json(raw: bytes) -> dict[str, Any]:
    """A JSON object from a body's bytes, or a :class:`BadRequest` naming what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"the body is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    if nesting(text, MAX_DEPTH) > MAX_DEPTH:
        raise BadRequest(f"the body nests arrays and objects deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_no_constant)
    except json.JSONDecodeError:
        raise BadRequest("the body is not JSON", hint=NOT_JSON_HINT) from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    refuse_non_text(data)
    return data


def nesting(text: str, limit: int) -> int:
    """How deep the arrays and objects of a JSON text nest (counting stops past ``limit``).

    Brackets inside strings do not count; the text need not be valid JSON (the parser says so).
    """
    depth = deepest = 0
    in_string = False
    escaped = -1  # the offset of the character a backslash escapes
    for mark in _MARKS.finditer(text):
        at, char = mark.start(), mark.group()
        if at == escaped:
            continue
        if in_string:
            if char == "\\":
                escaped = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def _too_long() -> BadRequest:
    return BadRequest(f"a number in the body is longer than {MAX_NUMBER_CHARS} characters")


def _integer(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _too_long()
    return int(literal)


def _float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _too_long()
    value = float(literal)
    if not math.isfinite(value):
        raise BadRequest(f"the number {literal} in the body is too large")
    return value


def _no_constant(name: str) -> Any:
    raise BadRequest(f"{name} is not a JSON number", hint=NOT_JSON_HINT)


def refuse_non_text(value: Any) -> None:
    """A lone surrogate (``"\\ud800"``) or a NUL anywhere, in a key or a value, refuses the body.

    The walk is as deep as :data:`MAX_DEPTH` at most: the nesting was checked before parsing.
    """
    if isinstance(value, str):
        found = _NOT_TEXT.search(value)
        if found:
            char = found.group()
            what = "a NUL character" if char == "\x00" else "a lone surrogate"
            raise BadRequest(f"the body holds {what} (\\u{ord(char):04x}): it is not text")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_non_text(key)
            refuse_non_text(item)
    elif isinstance(value, list):
        for item in value:
            refuse_non_text(item)
