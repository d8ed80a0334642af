"""``--format csv``: one row per post, ours and the community's, in posting order.

UTF-8 with a byte-order mark (so Excel reads accents and emoji correctly) and CRLF line ends.
A cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``
so a spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
from datetime import datetime
from typing import IO

from livepost.export.report import Post, Report

COLUMNS = (
    "source",
    "talk",
    "talk_title",
    "created_at",
    "author_handle",
    "author_name",
    "text",
    "replies",
    "reposts",
    "likes",
    "quotes",
    "bookmarks",
    "links",
    "image_alts",
    "uri",
    "url",
    "reply_parent",
)
BOM = "\ufeff"
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Text a spreadsheet will not evaluate."""
    return "'" + value if value.startswith(_RISKY) else value


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _row(post: Post, titles: dict[str, str]) -> list[str]:
    c = post.counts
    return [
        post.source,
        post.talk or "",
        titles.get(post.talk or "", ""),
        _time(post.created_at),
        safe_cell(post.author_handle),
        safe_cell(post.author_name or ""),
        safe_cell(post.text),
        str(c.replies),
        str(c.reposts),
        str(c.likes),
        str(c.quotes),
        "" if c.bookmarks is None else str(c.bookmarks),
        " ".join(post.links),
        safe_cell(" | ".join(post.image_alts)),
        post.uri,
        post.url,
        post.reply_parent or "",
    ]


def write(report: Report, out: IO[str]) -> None:
    """``out`` must be opened with ``newline=""`` (the csv module writes the line ends)."""
    titles = {s.talk.id: s.talk.title for s in report.talks}
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    posts = sorted([*report.posts, *report.community], key=lambda p: (p.created_at, p.uri))
    writer.writerows(_row(p, titles) for p in posts)
