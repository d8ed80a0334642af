"""Right-to-left text in reports: one user's string must not reorder the text after it.

A display name ending in an unterminated RIGHT-TO-LEFT OVERRIDE (U+202E) reverses everything that
follows it on the line: the handle, the time, the next column. HTML isolates each user string in
``<bdi>`` (:func:`bdi`); Markdown and CSV have no markup for that, so :func:`balance_bidi` closes
whatever a string opens (embeddings, overrides and isolates, U+202A-U+202E and U+2066-U+2069) at
the end of each of its lines and drops closers that would end something the string did not open.
"""

from __future__ import annotations

from markupsafe import Markup, escape

_OPENERS = {
    "\u202a": "\u202c",  # LRE
    "\u202b": "\u202c",  # RLE
    "\u202d": "\u202c",  # LRO
    "\u202e": "\u202c",  # RLO
    "\u2066": "\u2069",  # LRI
    "\u2067": "\u2069",  # RLI
    "\u2068": "\u2069",  # FSI
}
PDF, PDI = "\u202c", "\u2069"
BIDI_CONTROLS = frozenset(_OPENERS) | {PDF, PDI}


def _balance_line(line: str) -> str:
    if not any(c in BIDI_CONTROLS for c in line):
        return line
    out: list[str] = []
    open_: list[str] = []  # the closer each open control needs, innermost last
    for char in line:
        if char in _OPENERS:
            open_.append(_OPENERS[char])
        elif char == PDF:
            if not open_ or open_[-1] != PDF:
                continue  # closes nothing of ours (or would cross an isolate): dropped
            open_.pop()
        elif char == PDI:
            if PDI not in open_:
                continue
            while open_.pop() != PDI:  # a PDI also ends the embeddings inside its isolate
                out.append(PDF)
        out.append(char)
    out.extend(reversed(open_))
    return "".join(out)


def balance_bidi(text: str) -> str:
    """``text`` with every bidi embedding, override and isolate it opens closed on its own line."""
    return "\n".join(_balance_line(line) for line in text.split("\n"))


def bdi(value: object) -> Markup:
    """HTML: the value escaped, balanced and isolated in ``<bdi>``, for Jinja templates."""
    text = "" if value is None else str(value)
    return Markup("<bdi>") + escape(balance_bidi(text)) + Markup("</bdi>")
