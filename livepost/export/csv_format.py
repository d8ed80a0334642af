"""``--format csv``: one row per post, ours and the community's, in posting order.

UTF-8 with a byte-order mark (so Excel reads accents and emoji correctly) and CRLF line ends.
Every text cell (talk title, text, names, alt texts, links, ids: all of them, in one place) that
starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` so a
spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
from datetime import datetime
from typing import IO

from livepost.export.bidi import balance_bidi
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
    "queued_by",
    "author_id",
    "author",
)
BOM = "\ufeff"
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Text a spreadsheet will not evaluate, whose bidi controls stay inside the cell."""
    value = balance_bidi(value)
    return "'" + value if value.startswith(_RISKY) else value


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _row(post: Post, titles: dict[str, str]) -> list[str | int]:
    c = post.counts
    return [
        post.source,
        post.talk or "",
        titles.get(post.talk or "", ""),
        _time(post.created_at),
        post.author_handle,
        post.author_name or "",
        post.text,
        c.replies,
        c.reposts,
        c.likes,
        c.quotes,
        "" if c.bookmarks is None else c.bookmarks,
        " ".join(post.links),
        " | ".join(post.image_alts),
        post.uri,
        post.url,
        post.reply_parent or "",
        post.queued_by or "",
        post.queued_by_id or "",  # ours: who queued it, by identity and name
        post.queued_by or "",
    ]


def _safe_row(row: list[str | int]) -> list[str]:
    """The one place cells are written from: every text cell neutralised, numbers as digits."""
    return [str(cell) if isinstance(cell, int) else safe_cell(cell) for cell in row]


def write(report: Report, out: IO[str]) -> None:
    """``out`` must be opened with ``newline=""`` (the csv module writes the line ends)."""
    titles = {s.talk.id: s.talk.title for s in report.talks}
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    posts = sorted([*report.posts, *report.community], key=lambda p: (p.created_at, p.uri))
    writer.writerows(_safe_row(_row(p, titles)) for p in posts)
