"""Programme text is text: a speaker's name, a title or an abstract that reads like a mention
never becomes a mention facet; only handles from the people file or the programme's handle field
(and what our own snippet text mentions) do. Links and tags stay as the official app makes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.clirunner import run_livepost

PROGRAMME = """\
title: Hostile
timezone: Europe/London
date: 2030-06-18
talks:
  - id: hostile-talk
    title: "Hello @title.bsky.social #titletag"
    start: "10:00"
    end: "10:30"
    room: Room 1
    abstract: "Ping @abstract.bsky.social"
    speakers:
      - name: "@someone.bsky.social #tag https://x.example"
      - name: Jo Mockeridge
        handle: jo.bsky.social
"""


def _event(tmp_path: Path) -> Path:
    folder = tmp_path / "event"
    (folder / "notes").mkdir(parents=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Hostile"\nhashtags = ["hostile"]\ntimezone = "Europe/London"\n'
        'schedule = "programme.yaml"\n',
        encoding="utf-8",
    )
    (folder / "programme.yaml").write_text(PROGRAMME, encoding="utf-8")
    done = run_livepost("schedule", "import", cwd=folder)
    assert done.code == 0, done.err
    return folder


def _compose(folder: Path, text: str, kind: str) -> list[dict[str, Any]]:
    done = run_livepost(
        "compose", text, "--talk", "hostile-talk", "--kind", kind, "--json", cwd=folder
    )
    assert done.code == 0, done.err
    posts: list[dict[str, Any]] = json.loads(done.out)
    return posts


def _facets(posts: list[dict[str, Any]], kind: str) -> list[tuple[str, str]]:
    return [(f["type"], f["value"]) for p in posts for f in p["facets"] if f["type"] == kind]


def test_a_speaker_named_like_a_mention_notifies_nobody(tmp_path: Path) -> None:
    folder = _event(tmp_path)
    posts = _compose(folder, "", "announcement")
    text = "".join(p["text"] for p in posts)
    assert "@someone.bsky.social" in text  # shown as the programme wrote it...
    assert "@title.bsky.social" in text
    # ...but the only mention is the handle the programme's handle field gave
    assert _facets(posts, "mention") == [("mention", "jo.bsky.social")]
    # links and tags in programme text stay as the official app would make them
    assert ("link", "https://x.example") in _facets(posts, "link")
    assert {("tag", "tag"), ("tag", "titletag")} <= set(_facets(posts, "tag"))


def test_our_own_snippet_text_may_still_mention_people(tmp_path: Path) -> None:
    folder = _event(tmp_path)
    posts = _compose(folder, "Thanks @ann.bsky.social and @someone.bsky.social!", "snippet")
    assert _facets(posts, "mention") == [
        ("mention", "ann.bsky.social"),
        ("mention", "someone.bsky.social"),  # the note taker wrote it: their choice
    ]
