"""The plan against hostile input: alt text of invisible characters holds its snippet back like
missing alt text; a speaker named like a mention is text in the announcement's facets."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from livepost.config import Settings, load_settings
from livepost.model import Person, Talk
from livepost.notes import ImageRef, Snippet
from livepost.plan.planner import build_plan

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 6, 18, 10, 0, tzinfo=LONDON)


def _settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "ev"
    (folder / "notes" / "img").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Test Event"\nhashtags = ["tev"]\ntimezone = "Europe/London"\n'
        "[plan]\nday_posts = false\nwrapup = false\n",
        encoding="utf-8",
    )
    return load_settings(folder, environ={})


def _talk(speakers: list[Person]) -> Talk:
    return Talk(
        title="Red flags",
        start=START,
        end=START + timedelta(minutes=45),
        room="Room 1",
        speakers=speakers,
        id="red-flags",
    )


def test_invisible_alt_text_holds_the_snippet_back(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    image = settings.event_dir / "notes" / "img" / "chart.png"
    snippet = Snippet(
        "red-flags",
        0,
        "See the chart",
        line=1,
        images=[ImageRef(image, "\u200b \u2060", 2, "img/chart.png")],
    )
    result = build_plan(settings, [_talk([Person("Dr A")])], {"red-flags": [snippet]})
    assert [p.key for p in result.posts] == ["announce/red-flags"]
    assert result.problems == [
        "notes/red-flags.md, line 2: image 'img/chart.png' has no alt text; the snippet waits "
        "until it is described: ![what it shows](path)"
    ]


def test_a_speaker_named_like_a_mention_mentions_nobody_in_the_plan(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    talk = _talk(
        [
            Person("@someone.bsky.social #tag https://x.example"),
            Person("Jo", handle="jo.bsky.social"),
        ]
    )
    (announcement,) = build_plan(settings, [talk], {}).posts
    assert "@someone.bsky.social" in announcement.text
    mentions = [f for f in announcement.facets if f["type"] == "mention"]
    assert [m["value"] for m in mentions] == ["jo.bsky.social"]
