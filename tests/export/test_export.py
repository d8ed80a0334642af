"""Exports of the archive in every format, from seed 000's posts saved into a real SQLite archive
with the demo event's programme; escaping of hostile text; the HTML report in headless Chromium."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pytest
from PIL import Image
from sqlalchemy import Engine, update

from livepost.errors import InputError
from livepost.export import export
from livepost.export.csv_format import BOM, COLUMNS
from livepost.export.markdown import escape
from livepost.model.engagement import Counts, RemotePost
from livepost.store.engine import session_scope
from livepost.store.models import TalkRow
from tests.archive_helpers import (
    EVENT_KEY,
    ROOT,
    SYNCED_AT,
    demo_engine,
    save_remote,
    seed_fixture,
    seed_posts,
)

FORMATS = ("csv", "json", "md", "html")
XSS_SCRIPT = "<script>alert('x')</script> Red Flags for Police Misconduct #ccprconf26"
XSS_ATTR = '"><img src=x onerror=alert(1)> #ccprconf26'


@pytest.fixture
def seed_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = demo_engine(tmp_path)
    save_remote(engine, seed_posts())
    yield engine
    engine.dispose()


def write_all(engine: Engine, folder: Path, **options: object) -> dict[str, Path]:
    paths = {}
    for fmt in FORMATS:
        paths[fmt] = folder / f"report.{fmt}"
        export(engine, EVENT_KEY, fmt, paths[fmt], hashtags=["ccprconf26"], **options)  # type: ignore[arg-type]
    return paths


# --- seed 000 round trip -------------------------------------------------------------------------


def test_seed_fixture_matches_the_seed_page() -> None:
    seed = ROOT / ".." / "shared" / "seeds" / "000_1e7ac7c17b8dd0de.txt"
    if not seed.is_file():
        pytest.skip("the shared seeds are not present")
    from tests.seed_feed import build_fixture

    assert build_fixture(seed.read_text(encoding="utf-8")) == seed_fixture()


def test_seed_fixture_holds_the_pages_posts_and_counts() -> None:
    posts = seed_fixture()["posts"]
    assert len(posts) == 30
    assert posts[0]["text"].startswith("As a former #PositiveAction recruitment officer")
    assert posts[0]["counts"] == {"replies": 0, "reposts": 1, "likes": 0, "quotes": 0}
    assert posts[2]["counts"] == {"replies": 2, "reposts": 1, "likes": 0, "quotes": 0}
    assert posts[2]["embed"]["kind"] == "external"
    assert posts[21]["counts"] == {"replies": 1, "reposts": 1, "likes": 0, "quotes": 1}
    assert posts[-1]["text"].startswith("Findings:\nMisrecognition of victimhood")
    total = {
        k: sum(p["counts"][k] for p in posts) for k in ("replies", "reposts", "likes", "quotes")
    }
    assert total == {"replies": 7, "reposts": 5, "likes": 22, "quotes": 1}


def test_seed_round_trips_into_json(seed_engine: Engine, tmp_path: Path) -> None:
    paths = write_all(seed_engine, tmp_path)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["format"] == "livepost-archive" and data["version"] == 1
    assert data["event"]["name"] == "CCPR Conference 2026"
    assert data["event"]["hashtags"] == ["ccprconf26"]
    assert data["event"]["last_sync"] == "2026-06-19T17:00:00Z"
    assert data["event"]["totals"] == {
        "replies": 7,
        "reposts": 5,
        "likes": 22,
        "quotes": 1,
        "bookmarks": None,
    }
    assert data["posts"] == []
    expected = {p.uri: p for p in seed_posts()}
    assert len(data["community"]) == 30
    for item in data["community"]:
        post = expected[item["uri"]]
        assert item["text"] == post.text
        assert item["author"] == {
            "did": "did:plc:seedauthor000000000000",
            "handle": "ccpr-seed.test",
            "display_name": "CCPR (seed 000)",
        }
        assert item["counts"] == post.counts.as_dict()
        assert item["created_at"] == post.created_at.isoformat().replace("+00:00", "Z")
        assert item["source"] == "hashtag" and item["matched_tag"] == "ccprconf26"
    # ordered by time; placed with talks by mention and by time window
    assert [c["created_at"] for c in data["community"]] == sorted(
        c["created_at"] for c in data["community"]
    )

    def placed(prefix: str) -> tuple[str | None, str | None]:
        (item,) = [c for c in data["community"] if c["text"].startswith(prefix)]
        return item["talk"], item["talk_reason"]

    assert placed("Dr Martin O'Neill and") == ("red-flags-police-misconduct", "mention")
    assert placed("Dr Jo Mockeridge on") == ("child-first-criminal-justice", "mention")
    assert placed("Putting children in prison") == ("child-first-criminal-justice", "time")
    assert placed("Of any current or retired") == (
        "ethnic-minority-officers-specialised-units",
        "mention",
    )
    # 13:45 in London: two talks run in parallel and neither is named, so it is the event's
    assert placed("Findings:") == (None, None)
    talks = {t["id"]: t for t in data["talks"]}
    red = talks["red-flags-police-misconduct"]
    assert len(red["community"]) == 10
    assert red["totals"] == {"replies": 0, "reposts": 0, "likes": 9, "quotes": 0, "bookmarks": None}
    assert red["speakers"] == ["Dr Martin O'Neill", "Dr Katarina Mozova"]
    assert "lunch" not in talks  # a break nobody posted about
    outside = set(data["outside"]["community"])
    assert len(outside) == 3
    assert data["top_posts"][0] == expected_uri_with_text("Next - Mohamed Omar Mohamed")
    assert sum(b["community"] for b in data["timeline"]["buckets"]) == 30
    assert sum(b["engagement"] for b in data["timeline"]["buckets"]) == 35
    assert data["timeline"]["syncs"] == [{"taken_at": "2026-06-19T17:00:00Z", "interactions": 35}]


def expected_uri_with_text(prefix: str) -> str:
    (post,) = [p for p in seed_posts() if p.text.startswith(prefix)]
    return post.uri


def test_seed_round_trips_into_csv(seed_engine: Engine, tmp_path: Path) -> None:
    paths = write_all(seed_engine, tmp_path)
    raw = paths["csv"].read_bytes()
    assert raw.startswith(BOM.encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8").removeprefix(BOM), newline="")))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 31
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    expected = {p.uri: p for p in seed_posts()}
    for record in records:
        post = expected[record["uri"]]
        assert record["text"] == post.text
        assert (record["replies"], record["reposts"], record["likes"], record["quotes"]) == (
            str(post.counts.replies),
            str(post.counts.reposts),
            str(post.counts.likes),
            str(post.counts.quotes),
        )
        assert record["source"] == "hashtag"
        assert record["author_handle"] == "ccpr-seed.test"
    intile = next(r for r in records if r["text"].startswith("A framework for Introducing"))
    assert intile["links"] == "https://ordo.open.ac.uk/articles/dat..."
    assert intile["talk"] == "intile-new-technologies-law-enforcement"
    assert intile["talk_title"] == (
        "Introducing New Technologies into Law Enforcement: the INTiLE framework"
    )
    assert b"\r\n" in raw


def test_seed_round_trips_into_markdown(seed_engine: Engine, tmp_path: Path) -> None:
    text = write_all(seed_engine, tmp_path)["md"].read_text(encoding="utf-8")
    assert text.startswith("# CCPR Conference 2026: coverage report\n")
    assert "| Community posts under \\#ccprconf26 | 30 |" in text
    assert "| Likes | 22 |" in text
    for post in seed_posts():
        for line in post.text.splitlines():
            assert f"> {escape(line)}" in text
    assert "### 15:45–16:30 Red Flags for Police Misconduct" in text
    assert "1 reply · 1 repost · 0 likes · 1 quote" in text  # "Of any current or retired..."
    assert text.index("## Talks") < text.index("## Outside any talk")


def test_seed_round_trips_into_html(seed_engine: Engine, tmp_path: Path) -> None:
    page = write_all(seed_engine, tmp_path)["html"].read_text(encoding="utf-8")
    for post in seed_posts():
        assert str(markupsafe.escape(post.text)) in page
    assert "<b>22</b> likes" in page
    assert "<h3>15:45–16:30 <bdi>Red Flags for Police Misconduct</bdi></h3>" in page
    # + the top posts + each talk's best community posts (the speakers' share kit)
    assert page.count('<article class="post theirs">') == 30 + 10 + 17
    assert "<svg" in page and "<script" not in page


def test_one_talk_only(seed_engine: Engine, tmp_path: Path) -> None:
    paths = write_all(seed_engine, tmp_path, talk_id="red-flags-police-misconduct")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert [t["id"] for t in data["talks"]] == ["red-flags-police-misconduct"]
    assert len(data["community"]) == 10
    assert data["event"]["talk_filter"] == "red-flags-police-misconduct"
    assert data["timeline"]["syncs"] == [{"taken_at": "2026-06-19T17:00:00Z", "interactions": 9}]
    rows = paths["csv"].read_text(encoding="utf-8-sig").splitlines()
    assert len([r for r in rows if r.startswith("hashtag,")]) == 10
    assert "## Outside any talk" not in paths["md"].read_text(encoding="utf-8")


def test_unknown_talk_suggests_close_ids(seed_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        export(seed_engine, EVENT_KEY, "json", tmp_path / "x.json", talk_id="red-flags")
    assert caught.value.message == "--talk: no talk with id 'red-flags'"
    assert caught.value.hint == (
        "Did you mean: red-flags-police-misconduct? See the ids with: livepost schedule show"
    )
    assert not (tmp_path / "x.json").exists()


def test_output_folder_must_exist(seed_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        export(seed_engine, EVENT_KEY, "csv", tmp_path / "nope" / "x.csv")
    assert caught.value.message == f"--out: the folder {tmp_path / 'nope'} does not exist"


def test_snapshots_are_a_history_and_exports_use_the_latest(
    seed_engine: Engine, tmp_path: Path
) -> None:
    from livepost.archive.sync import save_snapshots
    from livepost.store.engine import session_scope
    from livepost.store.talks import load_event

    first = seed_posts()[0]
    with session_scope(seed_engine) as session:
        event = load_event(session, EVENT_KEY)
        save_snapshots(
            session, event, [(first.uri, Counts(1, 4, 9, 2, 3))], SYNCED_AT + timedelta(hours=1)
        )
    data = json.loads(write_all(seed_engine, tmp_path)["json"].read_text(encoding="utf-8"))
    item = next(c for c in data["community"] if c["uri"] == first.uri)
    assert item["counts"] == {"replies": 1, "reposts": 4, "likes": 9, "quotes": 2, "bookmarks": 3}
    assert data["timeline"]["syncs"] == [
        {"taken_at": "2026-06-19T17:00:00Z", "interactions": 35},
        {"taken_at": "2026-06-19T18:00:00Z", "interactions": 35 - 1 + 16},
    ]


# --- hostile text --------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attrs.add(name)
            if name == "href" and value:
                self.hrefs.append(value)


def hostile_posts() -> list[RemotePost]:
    base = seed_posts()[13]  # 15:49 in London, during Red Flags
    evil = []
    for n, text in enumerate((XSS_SCRIPT, XSS_ATTR)):
        evil.append(
            RemotePost(
                uri=f"at://did:plc:evil/app.bsky.feed.post/3evil{n}",
                cid=f"bafyevil{n}",
                author_did="did:plc:evil",
                author_handle="evil.test",
                author_name='<b onmouseover="x()">Mallory</b>',
                text=text,
                created_at=base.created_at + timedelta(minutes=n + 1),
                indexed_at=base.created_at,
                counts=Counts(5, 0, 0, 0),
                links=["javascript:alert(1)", "https://example.org/a?b=1&c=<2>"],
                image_alts=['alt"><script>alert(2)</script>'],
            )
        )
    return evil


def test_hostile_text_is_escaped_everywhere(seed_engine: Engine, tmp_path: Path) -> None:
    save_remote(seed_engine, hostile_posts())
    paths = write_all(seed_engine, tmp_path)
    page = paths["html"].read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    assert not {"script", "img", "iframe", "object", "embed", "b onmouseover"} & parser.tags
    assert not [a for a in parser.attrs if a.startswith("on")]
    assert not [h for h in parser.hrefs if not h.startswith(("https://", "http://"))]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Red Flags" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt; #ccprconf26" in page
    assert "&lt;b onmouseover=&#34;x()&#34;&gt;Mallory&lt;/b&gt;" in page
    assert '<p class="link"><bdi>javascript:alert(1)</bdi></p>' in page
    assert '<a href="https://example.org/a?b=1&amp;c=&lt;2&gt;">' in page
    md = paths["md"].read_text(encoding="utf-8")
    quoted = re.sub(r"(?m)^\s*> ", "", md)  # the blockquote markers are ours
    assert re.search(r"(?<!\\)[<>]", quoted) is None  # every angle bracket of a post escaped
    assert "\\<script\\>alert('x')\\</script\\> Red Flags" in md
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    texts = {c["text"] for c in data["community"]}
    assert {XSS_SCRIPT, XSS_ATTR} <= texts  # JSON keeps the text exactly
    assert next(c for c in data["community"] if c["text"] == XSS_SCRIPT)["talk"] == (
        "red-flags-police-misconduct"
    )


def test_csv_cells_cannot_run_as_formulas(seed_engine: Engine, tmp_path: Path) -> None:
    post = seed_posts()[0]
    post.uri, post.text = post.uri + "x", '=HYPERLINK("http://evil","click") #ccprconf26'
    save_remote(seed_engine, [post])
    export(seed_engine, EVENT_KEY, "csv", tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as stream:
        records = list(csv.DictReader(stream))
    (cell,) = [r["text"] for r in records if r["uri"] == post.uri]
    assert cell == "'" + post.text


DURING_THE_TALK = datetime(2026, 6, 18, 13, 30, tzinfo=UTC)


def test_every_csv_text_cell_is_neutralised(tmp_path: Path) -> None:
    engine = demo_engine(tmp_path)
    talk = "ethnic-minority-officers-specialised-units"
    with session_scope(engine) as session:
        session.execute(
            update(TalkRow)
            .where(TalkRow.talk_id == talk)
            .values(title='=HYPERLINK("http://e","x")')
        )
    seed = seed_posts()[0]
    texts = {"1": "+cmd", "2": "@SUM(1+1)", "3": "-2+3", "4": "\tTab", "5": "\rCR", "6": "plain"}
    posts = [
        dataclasses.replace(
            seed,
            uri=f"at://did:plc:x/app.bsky.feed.post/{n}",
            text=text,
            author_handle="=h.test",
            author_name="-me",
            links=["@x"] if n == "1" else [],
            image_alts=["=alt"] if n == "1" else [],
            counts=Counts(1, 2, 3, 4, None),
            created_at=DURING_THE_TALK,  # the only talk running then: its title is in the row
            indexed_at=DURING_THE_TALK,
        )
        for n, text in texts.items()
    ]
    save_remote(engine, posts)
    export(engine, EVENT_KEY, "csv", tmp_path / "r.csv")
    title = '\'=HYPERLINK(""http://e"",""x"")'
    head = f"hashtag,{talk},\"{title}\",2026-06-18T13:30:00Z,'=h.test,'-me,"
    cells = {
        "1": "'+cmd,1,2,3,4,,'@x,'=alt",
        "2": "'@SUM(1+1),1,2,3,4,,,",
        "3": "'-2+3,1,2,3,4,,,",
        "4": "'\tTab,1,2,3,4,,,",
        "5": '"\'\rCR",1,2,3,4,,,',
        "6": "plain,1,2,3,4,,,",
    }
    rows = [
        f"{head}{cells[n]},at://did:plc:x/app.bsky.feed.post/{n},"
        # no reply_parent, queued_by, author_id, author
        f"https://bsky.app/profile/{seed.author_did}/post/{n},,,,\r\n"
        for n in texts
    ]
    expected = BOM + ",".join(COLUMNS) + "\r\n" + "".join(rows)
    assert (tmp_path / "r.csv").read_bytes() == expected.encode("utf-8")
    engine.dispose()


# --- the HTML report in a real browser -----------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


INLINE = frozenset({"a", "b", "bdi", "em", "mark", "span", "strong", "time"})


class _Visible(HTMLParser):
    """The text a reader sees: everything outside <head>, <style> and <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []
        self.elements: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(tag)
        if tag not in INLINE:
            self.parts.append(" ")
        if tag in ("head", "style", "title", "script"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE:
            self.parts.append(" ")
        if tag in ("head", "style", "title", "script"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def test_html_report_in_headless_chromium(seed_engine: Engine, tmp_path: Path) -> None:
    save_remote(seed_engine, hostile_posts())
    page = tmp_path / "report.html"
    export(seed_engine, EVENT_KEY, "html", page, hashtags=["ccprconf26"])
    url = page.resolve().as_uri()
    phone = tmp_path / "phone.png"
    chromium(tmp_path, "--window-size=412,1800", f"--screenshot={phone}", url)
    desktop = tmp_path / "desktop.png"
    chromium(tmp_path, "--window-size=1280,1800", f"--screenshot={desktop}", url)
    pdf = tmp_path / "print.pdf"
    chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url)
    dom = chromium(tmp_path, "--dump-dom", url).stdout

    visible = _Visible()
    visible.feed(dom)
    text = visible.text
    assert "CCPR Conference 2026: coverage report" in text
    assert "0 our posts 32 community posts 17 replies 5 reposts 22 likes 1 quotes" in text
    assert "Red Flags for Police Misconduct" in text
    assert "Dr Martin O'Neill and Dr Katarina Mozova from the CCPR" in text
    assert "<script>alert('x')</script> Red Flags for Police Misconduct #ccprconf26" in text
    assert '"><img src=x onerror=alert(1)> #ccprconf26' in text
    assert 'Image 1: alt"><script>alert(2)</script>' in text
    assert "img" not in visible.elements and "script" not in visible.elements
    assert "Posts per 5 minutes" in text and "svg" in visible.elements

    for shot, width in ((phone, 412), (desktop, 1280)):
        with Image.open(shot) as image:
            assert image.size == (width, 1800)
            colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
            assert colours is not None and len(colours) > 50  # text and charts, not a blank page
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_exports_read_the_same_from_sqlite_and_postgresql(
    database_url: str, tmp_path: Path
) -> None:
    engine = demo_engine(tmp_path, database_url)
    try:
        save_remote(engine, seed_posts())
        paths = write_all(engine, tmp_path)
    finally:
        engine.dispose()
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert len(data["community"]) == 30
    assert data["event"]["totals"]["likes"] == 22
    assert data["event"]["last_sync"] == "2026-06-19T17:00:00Z"
    intile = next(c for c in data["community"] if c["text"].startswith("A framework"))
    assert intile["links"] == ["https://ordo.open.ac.uk/articles/dat..."]
    assert intile["created_at"] == "2026-06-18T16:06:00Z"
    patterns = next(c for c in data["community"] if c["text"].startswith("Patterns"))
    assert patterns["image_alts"] == [""]
