"""Every export names who queued each of our posts by hand: their identity and their name (a
name can repeat or mislead, the identity cannot); planned posts name no one."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from livepost.export import export
from livepost.export.csv_format import BOM
from livepost.outbox.queries import Draft, add_post, mark_posted
from livepost.store.engine import session_scope
from livepost.store.talks import load_event
from tests.archive_helpers import EVENT_KEY, demo_engine

DID = "did:plc:ours"
SENT = datetime(2026, 6, 18, 13, 30, tzinfo=UTC)


def _posted(tmp_path: Path) -> Path:
    """Three posts of ours: one queued by a member, one by the command line, one planned."""
    engine = demo_engine(tmp_path)
    with session_scope(engine) as session:
        event = load_event(session, EVENT_KEY)
        for n, (author, author_id) in enumerate(
            [("Ann", "member:3"), ("jane", "owner"), (None, None)], 1
        ):
            row = add_post(
                session,
                event,
                Draft(
                    key=f"k{n}",
                    kind="free" if author else "announcement",
                    due_at=SENT,
                    text=f"post {n}",
                    origin="manual" if author else "plan",
                    author=author,
                    author_id=author_id,
                ),
            )
            mark_posted(row, f"at://{DID}/app.bsky.feed.post/{n}", f"cid{n}", at=SENT)
    for fmt in ("csv", "json", "md", "html"):
        export(engine, EVENT_KEY, fmt, tmp_path / f"r.{fmt}", our_handle="us.test")
    engine.dispose()
    return tmp_path


def test_csv_has_the_author_id_and_name_of_our_posts(tmp_path: Path) -> None:
    folder = _posted(tmp_path)
    text = (folder / "r.csv").read_text(encoding="utf-8").removeprefix(BOM)
    rows = list(csv.DictReader(io.StringIO(text)))
    by_text = {r["text"]: (r["author_id"], r["author"]) for r in rows}
    assert by_text == {
        "post 1": ("member:3", "Ann"),
        "post 2": ("owner", "jane"),
        "post 3": ("", ""),
    }


def test_json_has_the_author_id_and_name_of_our_posts(tmp_path: Path) -> None:
    folder = _posted(tmp_path)
    data = json.loads((folder / "r.json").read_text(encoding="utf-8"))
    by_text = {p["text"]: (p["author_id"], p["author"]) for p in data["posts"]}
    assert by_text == {
        "post 1": ("member:3", "Ann"),
        "post 2": ("owner", "jane"),
        "post 3": (None, None),
    }


def test_markdown_and_html_say_who_queued_our_posts(tmp_path: Path) -> None:
    folder = _posted(tmp_path)
    markdown = (folder / "r.md").read_text(encoding="utf-8")
    assert "us (queued by Ann (member 3))" in markdown
    assert "us (queued by jane (owner))" in markdown
    html = (folder / "r.html").read_text(encoding="utf-8")
    assert "queued by <bdi>Ann (member 3)</bdi>" in html or "queued by Ann (member 3)" in html
    assert "jane (owner)" in html
