"""A character no font covers is reported by ``notes check``, ``plan``, ``preview`` and
``doctor`` (the console's checks): which talk, which text, what to install."""

from __future__ import annotations

from pathlib import Path

from livepost.app.doctor import run_checks
from tests.clirunner import run_livepost

UNCOVERED = "\U000f0000"  # Supplementary Private Use Area-A: no font on any machine here has it
NAME = f"Dr Jo Mockeridge{UNCOVERED}"
EXPECTED = (
    f"talk child-first-criminal-justice: its card leaves out the speaker: '{UNCOVERED}' "
    f'(U+F0000) in "{NAME}": install a font with this character in the event\'s assets/fonts/'
)


def _hostile_programme(event: Path) -> None:
    schedule = event / "schedule.yaml"
    text = schedule.read_text(encoding="utf-8")
    assert "      - Dr Jo Mockeridge\n" in text
    schedule.write_text(text.replace("      - Dr Jo Mockeridge\n", f"      - {NAME}\n"), "utf-8")
    assert run_livepost("--event", event, "schedule", "import").code == 0


def test_notes_check_plan_and_preview_name_the_talk_text_and_font(demo_event: Path) -> None:
    _hostile_programme(demo_event)
    check = run_livepost("--event", demo_event, "notes", "check")
    assert check.code == 0, check.err  # the notes are fine: a warning, not a failure
    assert f"warning: {EXPECTED}\n" in check.out
    plan = run_livepost("--event", demo_event, "plan")
    assert plan.code == 0, plan.err
    assert EXPECTED in plan.out + plan.err
    talk = ("--talk", "child-first-criminal-justice")
    preview = run_livepost("--event", demo_event, "preview", *talk)
    assert preview.code == 0, preview.err
    assert f"warning: {EXPECTED}" in preview.out


def test_doctor_and_the_console_checks_warn(demo_event: Path) -> None:
    _hostile_programme(demo_event)
    checks = {c.name: c for c in run_checks(demo_event, online=False)}
    fonts = checks["card fonts"]
    assert fonts.status == "warn"
    assert fonts.detail == f"1 text(s) left out of cards, first: {EXPECTED}"


def test_a_covered_programme_has_no_warning(demo_event: Path) -> None:
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    check = run_livepost("--event", demo_event, "notes", "check")
    assert "warning" not in check.out
    checks = {c.name: c for c in run_checks(demo_event, online=False)}
    assert checks["card fonts"].status == "ok"
