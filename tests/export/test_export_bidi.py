"""Right-to-left overrides in user text stay inside that text: HTML (checked in Chromium's
layout), Markdown and CSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from livepost.export import export
from livepost.export.bidi import balance_bidi, bdi
from livepost.model.engagement import Counts, RemotePost
from tests.archive_helpers import EVENT_KEY, demo_engine, save_remote, seed_posts

RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"
HOSTILE_NAME = f"Mallory {RLO}evil"
HANDLE = "mallory.test"


@pytest.fixture
def hostile_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = demo_engine(tmp_path)
    base = seed_posts()[13]
    save_remote(
        engine,
        [
            *seed_posts(),
            RemotePost(
                uri="at://did:plc:mallory/app.bsky.feed.post/3rlo",
                cid="bafyrlo",
                author_did="did:plc:mallory",
                author_handle=HANDLE,
                author_name=HOSTILE_NAME,
                text=f"Great talk {RLO}reversed #ccprconf26",
                created_at=base.created_at + timedelta(minutes=1),
                indexed_at=base.created_at,
                counts=Counts(1, 0, 0, 0),
            ),
        ],
    )
    yield engine
    engine.dispose()


def test_balance_closes_what_a_string_opens_and_drops_stray_closers() -> None:
    assert balance_bidi(f"a{RLO}b") == f"a{RLO}b{PDF}"
    assert balance_bidi(f"{LRI}x{RLO}y") == f"{LRI}x{RLO}y{PDF}{PDI}"
    assert balance_bidi(f"x{PDF}y{PDI}z") == "xyz"  # closes nothing of its own: dropped
    assert balance_bidi(f"{LRI}x{RLO}y{PDI}z") == f"{LRI}x{RLO}y{PDF}{PDI}z"
    assert balance_bidi(f"one{RLO}\ntwo") == f"one{RLO}{PDF}\ntwo"  # per line
    assert balance_bidi("محمد (Cairo)") == "محمد (Cairo)"  # ordinary text untouched
    assert str(bdi(f"<b>{RLO}")) == f"<bdi>&lt;b&gt;{RLO}{PDF}</bdi>"


def test_markdown_and_csv_balance_the_override(hostile_engine: Engine, tmp_path: Path) -> None:
    md, table = tmp_path / "r.md", tmp_path / "r.csv"
    export(hostile_engine, EVENT_KEY, "md", md, hashtags=["ccprconf26"])
    export(hostile_engine, EVENT_KEY, "csv", table, hashtags=["ccprconf26"])
    text = md.read_text(encoding="utf-8")
    assert f"Mallory {RLO}evil{PDF} (@mallory.test)" in text
    assert f"> Great talk {RLO}reversed \\#ccprconf26{PDF}" in text
    for line in text.splitlines():
        assert line.count(RLO) == line.count(PDF)
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    row = next(r for r in rows if r["author_handle"] == HANDLE)
    assert row["author_name"] == f"{HOSTILE_NAME}{PDF}"
    assert row["text"] == f"Great talk {RLO}reversed #ccprconf26{PDF}"


# The check runs in Chromium's layout: each character of the handle must sit to the right of the
# one before it. With the override spilling out of the name, the handle is drawn reversed.
PROBE = """
<script>
const order = [];
for (const el of document.querySelectorAll('.handle')) {
  if (!el.textContent.includes('HANDLE')) continue;
  const node = el.lastChild.nodeType === 3 ? el.lastChild : el.lastChild.firstChild;
  const range = document.createRange();
  let last = -Infinity, ltr = true;
  for (let i = 0; i < node.length; i++) {
    range.setStart(node, i); range.setEnd(node, i + 1);
    const x = range.getBoundingClientRect().left;
    if (x < last) ltr = false;
    last = x;
  }
  order.push(ltr ? 'ltr' : 'reversed');
}
document.body.setAttribute('data-order', order.join(','));
</script>
""".replace("HANDLE", HANDLE)


def with_probe(html: str) -> str:
    """The report with the probe script, and its policy relaxed to let that script run."""
    relaxed = html.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
    assert relaxed != html
    return relaxed.replace("</body>", PROBE + "</body>")


def chromium_dom(tmp_path: Path, page: Path) -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    result = subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_html_report_keeps_the_text_after_an_override_in_order_in_chromium(
    hostile_engine: Engine, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    export(hostile_engine, EVENT_KEY, "html", page, hashtags=["ccprconf26"])
    html = page.read_text(encoding="utf-8")
    assert f"<b><bdi>Mallory {RLO}evil{PDF}</bdi></b>" in html
    assert f'<span class="handle">@<bdi>{HANDLE}</bdi></span>' in html
    probed = tmp_path / "probed.html"
    probed.write_text(with_probe(html), encoding="utf-8")
    dom = chromium_dom(tmp_path, probed)
    assert 'data-order="ltr' in dom and "reversed" not in dom.split("data-order=")[1][:80]
    # The same page without isolation, as a control: the probe does see the spill-over.
    naked = html.replace("<bdi>", "").replace("</bdi>", "").replace(f"evil{PDF}", "evil")
    control = tmp_path / "control.html"
    control.write_text(with_probe(naked), encoding="utf-8")
    assert 'data-order="reversed' in chromium_dom(tmp_path, control)


def test_json_keeps_names_exactly(hostile_engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    export(hostile_engine, EVENT_KEY, "json", out, hashtags=["ccprconf26"])
    names = [c["author"]["display_name"] for c in json.loads(out.read_text())["community"]]
    assert HOSTILE_NAME in names  # the data export is the record: unchanged
