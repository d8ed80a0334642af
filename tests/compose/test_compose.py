"""Composition: text rules, hashtags, threads, templates and limits, on real text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livepost.compose.compose import ComposedPost, compose
from livepost.compose.context import build_context
from livepost.compose.hashtags import append_tags, clean_tag, missing_tags
from livepost.compose.shorten import to_short_url
from livepost.compose.split import split_text
from livepost.compose.templates import builtin_templates_dir
from livepost.compose.text import byte_count, grapheme_count, normalize
from livepost.errors import InputError, LivepostError
from livepost.model import Person, Talk

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
TAG = "ccprconf26"


def post(text: str, **kwargs: object) -> list[ComposedPost]:
    options: dict[str, object] = {"event_hashtags": [TAG], "langs": ["en-GB"]}
    options.update(kwargs)
    return compose(text, **options)  # type: ignore[arg-type]


def body_words(posts: list[ComposedPost], numbering: bool = False) -> list[str]:
    """The words of a thread with links restored, numbering and appended event tag removed."""
    words: list[str] = []
    for index, p in enumerate(posts):
        data = p.text.encode()
        for f in sorted(p.facets, key=lambda f: -f.byte_start):
            if f.type == "link":
                data = data[: f.byte_start] + f.value.encode() + data[f.byte_end :]
        text = data.decode()
        text = re.sub(rf"[\n ]#{TAG}(?: #Policing)?\Z", "", text)
        if numbering and len(posts) > 1:
            text = text.removesuffix(f" {index + 1}/{len(posts)}")
        words.extend(text.split())
    return [re.sub(r"^https?://", "", w) for w in words]


def assert_thread_ok(text: str, posts: list[ComposedPost], numbering: bool = False) -> None:
    for p in posts:
        assert p.graphemes == grapheme_count(p.text) <= 300
        assert p.bytes == byte_count(p.text) <= 3000
        assert any(f.type == "tag" and f.value.casefold() == TAG for f in p.facets), p.text
    expected = [re.sub(r"^https?://", "", w) for w in normalize(text).split()]
    assert body_words(posts, numbering) == expected


# --- text rules -------------------------------------------------------------------------------


def test_normalize_nfc_trailing_space_and_kept_line_breaks() -> None:
    assert normalize("Cafe\u0301  \r\nline two\t\n\n\npara  \n\n") == "Café\nline two\n\n\npara"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("👨‍👩‍👧‍👦", 1),
        ("👍🏽", 1),
        ("🇬🇧🇫🇷", 2),
        ("e\u0301", 1),
        ("क्षत्रिय", 3),
        ("สวัสดี", 4),
        ("ᄀᆞᆫ", 1),
        ("a\r\nb", 3),
    ],
)
def test_grapheme_counts(text: str, count: int) -> None:
    assert grapheme_count(text) == count


# --- hashtags ---------------------------------------------------------------------------------


def test_tags_on_a_line_of_their_own_event_first_then_talk() -> None:
    [p] = post("Patterns of misconduct...", extra_hashtags=["#Policing"])
    assert p.text == "Patterns of misconduct...\n#ccprconf26 #Policing"
    assert p.to_json() == {
        "text": "Patterns of misconduct...\n#ccprconf26 #Policing",
        "graphemes": 47,
        "bytes": 47,
        "langs": ["en-GB"],
        "facets": [
            {"byteStart": 26, "byteEnd": 37, "type": "tag", "value": "ccprconf26"},
            {"byteStart": 38, "byteEnd": 47, "type": "tag", "value": "Policing"},
        ],
    }


def test_tag_already_in_text_in_another_case_is_not_added() -> None:
    [p] = post("Great session at #CCPRconf26 today", extra_hashtags=["policing", "Policing"])
    assert p.text == "Great session at #CCPRconf26 today\n#policing"


def test_tags_join_a_last_line_of_hashtags() -> None:
    [p] = post("Findings:\nCultural silos\n#ChildFirst #Policing")
    assert p.text == "Findings:\nCultural silos\n#ChildFirst #Policing #ccprconf26"
    assert append_tags("", ["a"]) == "#a"
    assert missing_tags("#A #b", ["a", "B", "c", "C"]) == ["c"]


def test_no_event_hashtags_outside_an_event() -> None:
    [p] = compose("Just text", event_hashtags=[], langs=["en"])
    assert (p.text, p.facets) == ("Just text", [])


@pytest.mark.parametrize("bad", ["#2026", "two words", "tag!", "", "#" + "x" * 65])
def test_invalid_hashtags_are_refused(bad: str) -> None:
    with pytest.raises(LivepostError) as caught:
        clean_tag(bad)
    assert str(caught.value).startswith(f"{bad!r} is not a hashtag Bluesky can link.\n")


def test_tags_are_never_dropped_text_becomes_a_thread() -> None:
    text = " ".join(["word"] * 59)  # 294 graphemes: fits alone, not with "\n#ccprconf26"
    posts = post(text, extra_hashtags=["Policing"])
    assert len(posts) == 2
    assert posts[0].text.endswith("\n#ccprconf26 #Policing")
    assert posts[1].text.endswith("\n#ccprconf26")
    assert_thread_ok(text, posts)


def test_tags_in_record_keep_it_one_post() -> None:
    text = " ".join(["word"] * 59)
    [p] = post(text, extra_hashtags=["Policing"], tags_in_record=True)
    assert (p.text, p.tags, p.graphemes) == (text, [TAG, "Policing"], 294)
    assert p.to_json()["tags"] == [TAG, "Policing"]


# --- links ------------------------------------------------------------------------------------


def test_long_link_is_shown_short_counted_short_and_keeps_its_uri() -> None:
    url = "https://www.linkedin.com/company/canterbury-centre-for-policing-research/" + "x" * 250
    [p] = post(f"Follow us: {url}")
    assert p.text == "Follow us: www.linkedin.com/company/cant...\n#ccprconf26"
    assert p.facets[0].to_json() == {
        "byteStart": 11,
        "byteEnd": 43,
        "type": "link",
        "value": url,
    }
    assert p.graphemes == 55
    assert to_short_url("https://example.com/") == "example.com"
    assert to_short_url("https://Example.com:443/a?b=1") == "example.com/a?b=1"


def test_mention_facet_carries_the_handle() -> None:
    [p] = post("Thanks @jo-mockeridge.bsky.social!")
    assert p.facets[0].to_json() == {
        "byteStart": 7,
        "byteEnd": 33,
        "type": "mention",
        "value": "jo-mockeridge.bsky.social",
    }


# --- threads ----------------------------------------------------------------------------------


def seed_paragraphs() -> list[str]:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (a user's clone)")
    paragraphs = []
    for pattern in ("002_*.txt", "004_*.txt"):
        text = next((SHARED / "seeds").glob(pattern)).read_text(encoding="utf-8")
        paragraphs += [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return paragraphs


def test_every_seed_paragraph_splits_within_limits_keeping_words() -> None:
    paragraphs = seed_paragraphs()
    threads = 0
    for paragraph in paragraphs:
        posts = post(paragraph)
        assert_thread_ok(paragraph, posts)
        threads += len(posts) > 1
    assert threads >= 5  # some paragraphs really are too long for one post


def test_whole_seed_with_numbering() -> None:
    text = "\n\n".join(seed_paragraphs())[:3000]  # the longest text livepost takes
    posts = post(text, numbering=True, extra_hashtags=["Policing"])
    assert len(posts) >= 10
    assert_thread_ok(text, posts, numbering=True)
    for index, p in enumerate(posts):
        assert p.graphemes <= 300 and p.bytes <= 3000
        assert f" {index + 1}/{len(posts)}\n#ccprconf26" in p.text
    assert "#Policing" in posts[0].text and "#Policing" not in posts[1].text
    with pytest.raises(InputError) as caught:
        post("\n\n".join(seed_paragraphs())[:12000])
    assert caught.value.message == (
        "text: the text is 12,000 characters long; livepost takes at most 3,000 for one post "
        "or snippet (a thread of about ten posts)"
    )


def test_split_prefers_paragraph_then_sentence() -> None:
    first = "First paragraph is here and it is long enough to count. " * 2
    second = "Second one. " * 30
    parts = split_text(f"{first.strip()}\n\n{second.strip()}", lambda part, i: len(part) <= 200)
    assert parts[0] == first.strip()
    assert all(part.endswith("one.") for part in parts[1:])


def test_bytes_limit_splits_wide_text() -> None:
    text = " ".join(["👨‍👩‍👧‍👦"] * 290)  # 579 graphemes, 7539 bytes
    posts = post(text)
    assert all(p.bytes <= 3000 for p in posts)
    assert max(p.bytes for p in posts) > 2900  # the byte limit, not the grapheme one, binds
    assert_thread_ok(text, posts)


def test_a_word_too_long_for_any_post_is_an_error() -> None:
    with pytest.raises(LivepostError) as caught:
        post("a" * 400)
    assert str(caught.value) == (
        "Cannot split the text into posts: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'... is too "
        "long for one post.\nShorten that word or link, or put spaces in it."
    )


def test_never_cuts_between_a_space_and_its_combining_mark() -> None:
    text = ("word " * 58) + "\u0301x " + ("more " * 40)
    for p in post(text):
        assert not p.text.startswith("\u0301")


WORD = st.one_of(
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["L", "M", "N"]), min_size=1, max_size=12
    ),
    st.sampled_from(
        [
            "👍🏽",
            "👨‍👩‍👧‍👦",
            "🇬🇧",
            "e\u0301",
            "क्ष",
            "ไทย",
            "한국",
            "@alice.bsky.social",
            "#Policing",
            "Dr.",
            "end.",
        ]
    ),
    st.builds(lambda s: f"https://example.com/{s}", st.text(alphabet="abcdef/-_", max_size=120)),
    st.builds(lambda s: f"www.gov.uk/{s}", st.text(alphabet="abcdef", max_size=30)),
)
SEPARATOR = st.sampled_from([" ", " ", " ", "\n", "\n\n", ". "])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(WORD, SEPARATOR), min_size=1, max_size=160), st.booleans())
def test_generated_text_threads_keep_words_and_limits(
    pieces: list[tuple[str, str]], numbering: bool
) -> None:
    text = "".join(word + sep for word, sep in pieces)
    if not normalize(text):
        return
    posts = post(text, numbering=numbering)
    assert_thread_ok(text, posts, numbering=numbering)


# --- templates --------------------------------------------------------------------------------

TALK = Talk(
    title="Ethnic Minority Officers within the specialised Units in the UK Police Services",
    start=datetime(2026, 6, 3, 9, 0, tzinfo=UTC),
    end=datetime(2026, 6, 3, 9, 30, tzinfo=UTC),
    room="Hall A",
    speakers=[Person("Mohamed Omar Mohamed", "Canterbury Christ Church University")],
    id="mohamed",
)
CONTEXT = build_context(
    event_name="CCPR Conference 2026",
    event_hashtags=[TAG],
    timezone="Europe/London",
    talk=TALK,
    counts={"talks": 9},
)


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (
            "announcement",
            "",
            "Next - Mohamed Omar Mohamed on Ethnic Minority Officers within the specialised Units "
            "in the UK Police Services\n#ccprconf26",
        ),
        (
            "talk_starting",
            "",
            "Starting now in Hall A: Mohamed Omar Mohamed on Ethnic Minority Officers within the "
            "specialised Units in the UK Police Services\n#ccprconf26",
        ),
        (
            "snippet",
            "Need for dual investigation approach.",
            "Need for dual investigation approach.\n#ccprconf26",
        ),
        ("day_opening", "", "Good morning from CCPR Conference 2026! 9 talks today.\n#ccprconf26"),
        (
            "day_closing",
            "Keep an eye out for other events",
            "#ccprconf26 has now concluded!\nKeep an eye out for other events",
        ),
        ("free", "R&D <b>", "R&D <b>\n#ccprconf26"),
    ],
)
def test_builtin_templates(kind: str, text: str, expected: str) -> None:
    [p] = post(text, kind=kind, context=CONTEXT)
    assert p.text == expected


def test_event_template_overrides_builtin_as_documented(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "templates.md").read_text()
    example = docs.split("```jinja\n", 1)[1].split("```", 1)[0]
    shown = docs.split("which gives, for a talk at 10:00 in Hall A,\n\n```\n", 1)[1].split("```")[0]
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "announcement.txt.j2").write_text(example)
    [p] = post("", kind="announcement", context=CONTEXT, template_dirs=[tmp_path])
    assert p.text == shown.strip()
    [other] = post("", kind="talk_starting", context=CONTEXT, template_dirs=[tmp_path])
    assert other.text.startswith("Starting now in Hall A")


def test_unknown_variable_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "posts" / "announcement.txt.j2"
    path.parent.mkdir()
    path.write_text("{# ours #}\nNext:\n{{ talk.titel }}\n")
    with pytest.raises(InputError) as caught:
        post("", kind="announcement", context=CONTEXT, template_dirs=[tmp_path])
    assert str(caught.value) == (
        f"{path}, line 3: template error: 'dict object' has no attribute 'titel'\n"
        "The variables a template can use are listed in docs/templates.md."
    )


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "posts" / "free.txt.j2"
    path.parent.mkdir()
    path.write_text("line one\n{% if text %}\n{{ text }\n")
    with pytest.raises(InputError) as caught:
        post("x", template_dirs=[tmp_path])
    assert caught.value.path == str(path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}, line 3: template syntax error: ")


def test_unknown_kind_and_missing_talk() -> None:
    with pytest.raises(LivepostError) as caught:
        post("x", kind="nonsense")
    assert str(caught.value).startswith("No template posts/nonsense.txt.j2 in ")
    with pytest.raises(InputError) as missing:
        post("", kind="announcement")
    assert missing.value.path == str(builtin_templates_dir() / "posts" / "announcement.txt.j2")
    assert "'speakers' is undefined" in str(missing.value)


def test_limits_on_langs_and_empty_text() -> None:
    with pytest.raises(LivepostError, match="at most 3 languages, got 4"):
        post("x", langs=["en", "fr", "de", "cy"])
    with pytest.raises(LivepostError, match="Nothing to post"):
        compose("  \n", event_hashtags=[], langs=["en"])
