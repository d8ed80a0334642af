"""Notes files: snippets, pins, images, completeness, and `notes check` problems."""

from __future__ import annotations

import io
from datetime import time
from pathlib import Path

import pytest
from PIL import Image

from livepost.errors import NotesError
from livepost.notes import (
    ImageRef,
    NoteProblem,
    Snippet,
    check_notes,
    grapheme_count,
    load_notes,
    read_notes,
)
from tests.bad_images import REASONS, write_bad_images


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()  # a real image: `notes check` decodes every image


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_snippets_pins_and_images(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    (notes / "img").mkdir(parents=True)
    (notes / "img" / "chart.png").write_bytes(PNG)
    path = _write(
        notes,
        "red-flags-police-misconduct.md",
        "Allegations from 7 forces gathered and analysed.\n"
        "Uneven distribution of outcomes across services\n"
        "\n"
        "\n"
        "[14:05] Peaks at 2.5 and 18 years service.\n"
        "![Bar chart of allegations by length of service](img/chart.png)\n"
        "\n"
        "<!-- a comment for the note taker -->\n"
        "[9:30]\n"
        "![Slide: patterns of misconduct](img/chart.png)\n"
        "\n",
    )
    snippets = read_notes(path)
    assert snippets == [
        Snippet(
            talk_id="red-flags-police-misconduct",
            index=0,
            text="Allegations from 7 forces gathered and analysed.\n"
            "Uneven distribution of outcomes across services",
            line=1,
            pinned_at=None,
            images=[],
            complete=True,
        ),
        Snippet(
            talk_id="red-flags-police-misconduct",
            index=1,
            text="Peaks at 2.5 and 18 years service.",
            line=5,
            pinned_at=time(14, 5),
            images=[
                ImageRef(
                    notes / "img" / "chart.png",
                    "Bar chart of allegations by length of service",
                    6,
                    "img/chart.png",
                )
            ],
            complete=True,
        ),
        Snippet(
            talk_id="red-flags-police-misconduct",
            index=2,
            text="",
            line=9,
            pinned_at=time(9, 30),
            images=[
                ImageRef(
                    notes / "img" / "chart.png",
                    "Slide: patterns of misconduct",
                    10,
                    "img/chart.png",
                )
            ],
            complete=True,
        ),
    ]
    assert check_notes(notes, {"red-flags-police-misconduct"}) == []


def test_last_snippet_is_incomplete_until_a_blank_line_follows(tmp_path: Path) -> None:
    path = _write(tmp_path, "talk.md", "First snippet.\n\nStill typing\n")
    assert [(s.text, s.complete) for s in read_notes(path)] == [
        ("First snippet.", True),
        ("Still typing", False),
    ]
    path.write_text("First snippet.\n\nStill typing", encoding="utf-8")
    assert read_notes(path)[-1].complete is False
    path.write_text("First snippet.\n\nDone now\n\n", encoding="utf-8")
    assert read_notes(path)[-1].complete is True
    path.write_text("First snippet.\r\n\r\nDone now\r\n\r\n", encoding="utf-8")
    assert [(s.text, s.complete) for s in read_notes(path)] == [
        ("First snippet.", True),
        ("Done now", True),
    ]


def test_whitespace_only_line_separates_and_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "talk.md"
    path.write_bytes("\ufeffOne\n   \nTwo\n\n".encode())
    assert [(s.text, s.line) for s in read_notes(path)] == [("One", 1), ("Two", 3)]


def test_markdown_link_and_bracketed_word_are_text_not_pins(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "talk.md",
        "[Update] The panel is running late\n\n[2025 report](https://example.org/r) is out\n\n",
    )
    snippets = read_notes(path)
    assert [(s.text, s.pinned_at, s.pin_error) for s in snippets] == [
        ("[Update] The panel is running late", None, None),
        ("[2025 report](https://example.org/r) is out", None, None),
    ]


def test_empty_file_has_no_snippets(tmp_path: Path) -> None:
    assert read_notes(_write(tmp_path, "talk.md", "")) == []
    assert read_notes(_write(tmp_path, "talk.md", "\n\n  \n")) == []


def test_load_notes_skips_scratch_files_and_missing_folder(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    _write(notes, "b-talk.md", "B\n\n")
    _write(notes, "a-talk.md", "A\n\n")
    _write(notes, ".a-talk.md", "editor swap\n\n")
    _write(notes, "readme.txt", "not notes\n\n")
    (notes / "img").mkdir()
    loaded = load_notes(notes)
    assert list(loaded) == ["a-talk", "b-talk"]
    assert loaded["a-talk"][0].text == "A"
    assert load_notes(tmp_path / "missing") == {}


def test_undecodable_file_is_a_notes_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "talk.md"
    path.write_bytes(b"Fine line\n\nCaf\xe9 au lait\n")
    with pytest.raises(NotesError) as caught:
        read_notes(path)
    assert caught.value.message == (
        f"{path}, line 3: is not UTF-8 text (byte 0xe9 cannot be decoded)"
    )
    assert caught.value.hint == "Save the notes file as UTF-8 and it will be read again."


def test_binary_file_is_a_notes_error(tmp_path: Path) -> None:
    path = tmp_path / "talk.md"
    path.write_bytes(b"ok\n\x00\x01\x02")
    with pytest.raises(NotesError, match=r"line 2: is not a text file \(it contains NUL bytes\)"):
        read_notes(path)


def test_missing_file_is_a_notes_error(tmp_path: Path) -> None:
    with pytest.raises(NotesError, match=r"talk\.md: file not found"):
        read_notes(tmp_path / "talk.md")


def test_check_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    (notes / "img").mkdir(parents=True)
    (notes / "img" / "slide.png").write_bytes(PNG)
    good = _write(
        notes,
        "red-flags-police-misconduct.md",
        "[25:99] Too late to be a time\n"
        "\n"
        "![](img/slide.png)\n"
        "\n"
        "![Missing chart](img/missing.png)\n"
        "\n"
        "![A folder](img)\n"
        "\n"
        "![Remote](https://example.org/a.png)\n"
        "\n"
        + "x" * 301
        + "\n\n"
        + "🧑🏽‍🚒" * 300
        + "\n\n"
        + "[10:00]\n\n"
        + "![one](img/slide.png)\n![two](img/slide.png)\n![three](img/slide.png)\n"
        + "![four](img/slide.png)\n![five](img/slide.png)\n\n",
    )
    typo = _write(notes, "red-flag-misconduct.md", "Typo in the file name\n\n")
    stray = _write(notes, "lunch-thoughts.md", "Nothing to do with any talk\n\n")
    broken = notes / "child-first.md"
    broken.write_bytes(b"\xff\xfe\x00bad")
    problems = check_notes(
        notes, {"red-flags-police-misconduct", "child-first", "ethnic-minority-officers"}
    )
    assert [str(p) for p in problems] == [
        f"{broken}, line 1: is not a text file (it contains NUL bytes)",
        f"{stray}: no talk has the id 'lunch-thoughts'; name the file after a talk id "
        "(see `livepost schedule show`)",
        f"{typo}: no talk has the id 'red-flag-misconduct'; did you mean "
        "'red-flags-police-misconduct'? Rename the file to red-flags-police-misconduct.md",
        f"{good}, line 1: [25:99] is not a time; pin a snippet with [HH:MM], e.g. [14:05]",
        f"{good}, line 3: image 'slide.png' has no alt text; describe it between the brackets: "
        "![what the image shows](...)",
        f"{good}, line 5: image '{notes / 'img' / 'missing.png'}' does not exist (paths are "
        "relative to the notes folder)",
        f"{good}, line 7: image '{notes / 'img'}' is a folder",
        f"{good}, line 9: images must be files on this computer, not web addresses",
        f"{good}, line 11: snippet is 301 characters long (limit 300) and will be split into a "
        "thread; shorten it or split it with a blank line",
        f"{good}, line 15: snippet has a time but nothing to post",
        f"{good}, line 17: snippet has 5 images; a post carries at most 4, so split it with a "
        "blank line",
    ]
    assert problems[0] == NoteProblem(broken, 1, "is not a text file (it contains NUL bytes)")
    # 300 emoji with skin tone and ZWJ are 300 graphemes: exactly at the limit, no problem.
    assert grapheme_count("🧑🏽‍🚒" * 300) == 300


def test_check_limit_is_configurable(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    path = _write(notes, "talk.md", "A short snippet of 31 graphemes\n\n")
    assert check_notes(notes, {"talk"}, max_graphemes=31) == []
    assert [p.line for p in check_notes(notes, {"talk"}, max_graphemes=20)] == [1]
    assert check_notes(notes, {"talk"}, max_graphemes=20)[0].path == path


def test_language_marker_before_or_after_the_pin(tmp_path: Path) -> None:
    notes = tmp_path / "talk.md"
    notes.write_text(
        "[lang: de] Guten Morgen aus Canterbury\n\n"
        "[14:05] [lang=fr, en-GB] Bonjour\n\n"
        "[lang: de]\n\n"
        "[language matters] is just text\n\n",
        encoding="utf-8",
    )
    snippets = read_notes(notes)
    assert [(s.text, s.langs, s.pinned_at) for s in snippets] == [
        ("Guten Morgen aus Canterbury", ["de"], None),
        ("Bonjour", ["fr", "en-GB"], time(14, 5)),
        ("", ["de"], None),
        ("[language matters] is just text", None, None),
    ]


def test_check_refuses_images_outside_the_event_folder(tmp_path: Path) -> None:
    event = tmp_path / "event"
    notes = event / "notes"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "photo.jpg").write_bytes(PNG)
    (notes / "img").mkdir(parents=True)
    (notes / "img" / "link.png").symlink_to(outside / "photo.jpg")
    (notes / "img" / "inside.png").symlink_to(event / "logo.png")  # a symlink may stay inside
    (event / "logo.png").write_bytes(PNG)
    path = _write(
        notes,
        "talk.md",
        "![Escape](../../outside/photo.jpg)\n\n"
        f"![Absolute]({outside / 'photo.jpg'})\n\n"
        "![Symlink](img/link.png)\n\n"
        "![Passwords](/etc/passwd)\n\n"
        "![Logo](img/inside.png)\n\n",
    )
    root = event.resolve()
    assert [str(p) for p in check_notes(notes, {"talk"})] == [
        f"{path}, line 1: image '../../outside/photo.jpg' is outside the event folder ({root})",
        f"{path}, line 3: image '{outside / 'photo.jpg'}' is outside the event folder ({root})",
        f"{path}, line 5: image 'img/link.png' is outside the event folder ({root})",
        f"{path}, line 7: image '/etc/passwd' is outside the event folder ({root})",
    ]


def test_check_decodes_every_image(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    bad = write_bad_images(notes / "img")
    lines = [f"![A {name}](img/{name})" for name in bad]
    path = _write(notes, "talk.md", "\n\n".join(lines) + "\n\n")
    assert [str(p) for p in check_notes(notes, {"talk"})] == [
        f"{path}, line {2 * n + 1}: image 'img/{name}': {REASONS[name]}"
        for n, name in enumerate(bad)
    ]


@pytest.mark.parametrize(
    "alt",
    [" ", "\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", "\u00a0\u3000", "\u200e\u202e", "\t"],
    ids=["space", "zwsp", "zw-joiners", "word-joiner-bom", "nbsp-ideographic", "bidi-marks", "tab"],
)
def test_alt_text_of_only_invisible_characters_counts_as_missing(tmp_path: Path, alt: str) -> None:
    from livepost.cards.alt import has_visible_text

    assert not has_visible_text(alt)
    notes = tmp_path / "notes"
    (notes / "img").mkdir(parents=True)
    (notes / "img" / "chart.png").write_bytes(PNG)
    _write(notes, "talk-a.md", f"Look\n![{alt}](img/chart.png)\n\n")
    assert [str(p) for p in check_notes(notes, {"talk-a"})] == [
        f"{notes / 'talk-a.md'}, line 2: image 'chart.png' has no alt text; describe it between "
        "the brackets: ![what the image shows](...)"
    ]


@pytest.mark.parametrize("alt", ["a", "\u200bChart\u200b", "图表", "😀", "١"])
def test_alt_text_with_one_visible_character_is_alt_text(alt: str) -> None:
    from livepost.cards.alt import has_visible_text

    assert has_visible_text(alt)


def _oversized(notes: Path, talk_id: str) -> Path:
    """A real notes file of 1,100,000 bytes: its own snippets, then pasted text."""
    path = notes / f"{talk_id}.md"
    head = path.read_bytes() if path.exists() else b"First point\n\n"
    filler = b"A pasted line of a transcript that goes on and on.\n"
    data = head + filler * ((1_100_000 - len(head)) // len(filler))
    data += b"x" * (1_100_000 - len(data))
    path.write_bytes(data)
    assert path.stat().st_size == 1_100_000
    return path


SKIPPED_LINE = (
    "is 1.1 MB; a notes file holds at most 1 MB (a whole day of notes is a few KB); skipped: its "
    "snippets are not planned until it is smaller; every other talk plans as usual"
)


def test_an_oversized_notes_file_is_skipped_not_fatal(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    _write(notes, "talk-a.md", "Fine\n\n")
    big = _oversized(notes, "talk-b")
    loaded = load_notes(notes)
    assert list(loaded) == ["talk-a"]
    assert loaded.skipped == {"talk-b": SKIPPED_LINE}
    assert [str(p) for p in check_notes(notes, {"talk-a", "talk-b"})] == [f"{big}: {SKIPPED_LINE}"]


def test_plan_and_notes_check_skip_an_oversized_file_and_keep_its_queued_posts(
    demo_event: Path,
) -> None:
    import json

    from tests.clirunner import run_livepost

    assert run_livepost("schedule", "import", cwd=demo_event).code == 0
    first = run_livepost("plan", "--json", cwd=demo_event)
    assert first.code == 0, first.err
    before = {p["key"]: p["state"] for p in json.loads(first.out)}
    red = sorted(k for k in before if k.startswith("snippet/red-flags-police-misconduct/"))
    intile = sorted(k for k in before if k.startswith("snippet/intile-new-technologies"))
    assert red and intile

    big = _oversized(demo_event / "notes", "red-flags-police-misconduct")
    done = run_livepost("plan", "--json", cwd=demo_event)
    assert done.code == 0, done.err
    assert f"warning: notes/red-flags-police-misconduct.md: {SKIPPED_LINE}" in done.err.splitlines()
    after = {p["key"]: p["state"] for p in json.loads(done.out)}
    assert {k: after[k] for k in red + intile} == {k: "queued" for k in red + intile}
    assert after == before  # nothing cancelled, nothing added: the big file is only skipped

    check = run_livepost("notes", "check", cwd=demo_event)
    assert check.code == 4
    assert check.out.splitlines()[0] == f"{big}: {SKIPPED_LINE}"
    assert check.err.strip() == f"1 problem(s) in {demo_event / 'notes'}."
    assert "Traceback" not in check.err
