"""Seed 000 (a page of the #ccprconf26 hashtag feed) as an archive fixture.

The page lists each post's text, what it embeds ("Post image", a link card) and its counts
"replies reposts likes quotes", newest first; it names no authors and no times. The fixture
adds a made-up author and times on the demo event's day (schedules/ccprconf26) that follow the
page's order, so that talk placement has something real to work on.

Regenerate the committed fixture with: python -m tests.seed_feed
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / ".." / "shared" / "seeds" / "000_1e7ac7c17b8dd0de.txt"
FIXTURE = ROOT / "tests" / "fixtures" / "archive" / "seed000.json"
_COUNTS = re.compile(r"^(\d+) (\d+) (\d+) (\d+)$")
_LINK = re.compile(r"(?<!\S)((?:[a-z0-9-]+\.)+[a-z]{2,}/\S*)")
LONDON = ZoneInfo("Europe/London")
#: (number of posts, local time of the newest, minutes between them) in page order
TIME_BLOCKS = (
    (4, "17:30", 12),
    (10, "16:25", 4),
    (7, "15:25", 5),
    (7, "14:40", 5),
    (2, "13:55", 10),
)
DAY = "2026-06-18"


def parse_seed(text: str) -> list[dict[str, Any]]:
    """The posts of the page, newest first: text, counts, embed."""
    lines = text.splitlines()
    last_ad = max(i for i, line in enumerate(lines) if line.startswith("Advertisement"))
    posts: list[dict[str, Any]] = []
    chunk: list[str] = []
    for line in lines[last_ad + 1 :]:
        match = _COUNTS.match(line.strip())
        if not match:
            chunk.append(line)
            continue
        paragraphs = [p.strip() for p in "\n".join(chunk).strip().split("\n\n") if p.strip()]
        chunk = []
        body = paragraphs[-1]
        embed: dict[str, Any] | None = None
        for extra in paragraphs[:-1]:
            if extra == "Post image":
                embed = {"kind": "image"}
            else:
                title = extra.removeprefix("Preview").strip()
                embed = {"kind": "external", "title": title}
        replies, reposts, likes, quotes = (int(n) for n in match.groups())
        posts.append(
            {
                "text": body,
                "counts": {
                    "replies": replies,
                    "reposts": reposts,
                    "likes": likes,
                    "quotes": quotes,
                },
                "embed": embed,
                "links": ["https://" + m for m in _LINK.findall(body)],
            }
        )
    return posts


def with_times(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``created_at`` (ISO, UTC) by :data:`TIME_BLOCKS` and the made-up author."""
    out: list[dict[str, Any]] = []
    index = 0
    for count, newest, step in TIME_BLOCKS:
        start = datetime.fromisoformat(f"{DAY}T{newest}").replace(tzinfo=LONDON)
        for n in range(count):
            post = dict(posts[index])
            moment = start - timedelta(minutes=step * n)
            post["created_at"] = (
                moment.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")
            )
            post["rkey"] = f"3seed{index:08d}"
            out.append(post)
            index += 1
    if index != len(posts):
        raise ValueError(f"TIME_BLOCKS cover {index} posts, the page has {len(posts)}")
    return out


def build_fixture(text: str) -> dict[str, Any]:
    return {
        "about": "Seed 000: a page of the #ccprconf26 feed. Texts, embeds and counts from the "
        "page; author, times and rkeys are made up (see tests/seed_feed.py).",
        "hashtag": "ccprconf26",
        "author": {
            "did": "did:plc:seedauthor000000000000",
            "handle": "ccpr-seed.test",
            "display_name": "CCPR (seed 000)",
        },
        "posts": with_times(parse_seed(text)),
    }


if __name__ == "__main__":
    fixture = build_fixture(SEED.read_text(encoding="utf-8"))
    FIXTURE.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{FIXTURE}: {len(fixture['posts'])} posts")
