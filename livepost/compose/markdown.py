"""Markdown emphasis in notes: Bluesky shows ``*this*`` with its asterisks, so they go.

Notes are written in Markdown files and read like Markdown, but a post is plain text: the markers
of ``*emphasis*``, ``_emphasis_``, ``**strong**`` and ``__strong__`` are removed (the words stay),
while list markers, line breaks, ``snake_case``, ``2*3``, links, hashtags and mentions are left
exactly as written. ``[plan] keep_markdown = true`` keeps the markers.
"""

from __future__ import annotations

import regex

# Spans never touched: links (with or without a scheme), hashtags, mentions and inline code.
_PROTECTED = regex.compile(
    r"`[^`\n]+`"
    r"|(?:https?://|www\.)\S+"
    r"|\b[\w.-]+\.[a-z]{2,}/\S*"
    r"|(?<!\w)[#＃@][^\s]+",
    regex.IGNORECASE,
)
# A delimiter opens only after a non-word character and closes only before one, and hugs its
# text (no space just inside), on one line: so "a * b * c", "2*3*4" and "snake_case_name" stay.
_STRONG = regex.compile(r"(?<![\w*_])(\*\*|__)(?=[^\s*_])([^\n]*?[^\s*_])\1(?![\w*_])")
_EMPHASIS = regex.compile(r"(?<![\w*_])([*_])(?=[^\s*_])([^\n]*?[^\s*_]|[^\s*_])\1(?![\w*_])")


def _strip(text: str) -> str:
    text = _STRONG.sub(r"\2", text)
    return _EMPHASIS.sub(r"\2", text)


def strip_emphasis(text: str) -> str:
    """``text`` without Markdown emphasis markers; protected spans kept byte for byte."""
    out: list[str] = []
    position = 0
    for match in _PROTECTED.finditer(text):
        out.append(_strip(text[position : match.start()]))
        out.append(match.group())
        position = match.end()
    out.append(_strip(text[position:]))
    return "".join(out)
