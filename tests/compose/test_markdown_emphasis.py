"""Markdown emphasis markers leave snippets (Bluesky shows them literally); a setting keeps them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from livepost.compose.markdown import strip_emphasis
from tests.clirunner import run_livepost


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is *important*", "This is important"),
        ("**Key point:** data _first_, __always__", "Key point: data first, always"),
        ("a *multi word phrase* here", "a multi word phrase here"),
        ("* one\n* two *three*\n- four\n\nnext line", "* one\n* two three\n- four\n\nnext line"),
    ],
)
def test_emphasis_markers_are_removed_lists_and_breaks_kept(text: str, expected: str) -> None:
    assert strip_emphasis(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "snake_case_name and file_name_v2_ stay",
        "2*3*4 = 24 and a * b * c",
        "see https://example.org/_draft_/a*b* and www.example.org/*x*",
        "#open_data_ and #_tag_ and @jo_smith_.bsky.social",
        "code `*x*` stays",
        "an *unclosed marker",
        "* a list item",
    ],
)
def test_words_links_tags_and_arithmetic_are_untouched(text: str) -> None:
    assert strip_emphasis(text) == text


NOTE = "[14:47] The *big* finding: **13.5%** of officers, see snake_case_name\n\n"


def _snippet(event: Path) -> str:
    (event / "notes" / "red-flags-police-misconduct.md").write_text(NOTE, encoding="utf-8")
    assert run_livepost("--event", event, "schedule", "import").code == 0
    result = run_livepost("--event", event, "plan", "--json")
    assert result.code == 0, result.err
    posts = json.loads(result.out)
    return next(p["text"] for p in posts if p["key"] == "snippet/red-flags-police-misconduct/1")


def test_plan_posts_snippets_without_markers(demo_event: Path) -> None:
    text = _snippet(demo_event)
    assert text.startswith("The big finding: 13.5% of officers, see snake_case_name")


def test_keep_markdown_setting_keeps_them(demo_event: Path) -> None:
    config = demo_event / "livepost.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[plan]\nkeep_markdown = true\n", encoding="utf-8"
    )
    text = _snippet(demo_event)
    assert text.startswith("The *big* finding: **13.5%** of officers")
    talk = ("--talk", "red-flags-police-misconduct", "--json")
    kept = run_livepost("--event", demo_event, "compose", "A *b*", *talk)
    assert json.loads(kept.out)[0]["text"].startswith("A *b*"), kept.err


def test_compose_in_a_talk_removes_them_like_the_plan(demo_event: Path) -> None:
    talk = ("--talk", "red-flags-police-misconduct", "--json")
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    composed = run_livepost("--event", demo_event, "compose", "A *b*", *talk)
    assert json.loads(composed.out)[0]["text"].startswith("A b\n"), composed.err
