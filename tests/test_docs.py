"""Docs as tests: every command has help text and appears in the README's CLI reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from livepost.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(name, command) of every leaf command (typer vendors click: duck-typed on purpose)."""
    found: list[tuple[str, Any]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if hasattr(command, "commands"):
            found.extend(_commands(command, f"{path} "))
        else:
            found.append((path, command))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_there_are_commands() -> None:
    assert {"init", "schedule import", "schedule show", "notes check", "doctor"} <= {
        name for name, _ in COMMANDS
    }


def test_every_command_has_help_and_is_in_the_readme() -> None:
    missing_help = [name for name, cmd in COMMANDS if not (cmd.help or "").strip()]
    missing_docs = [name for name, _ in COMMANDS if f"`livepost {name}" not in README]
    assert missing_help == []
    assert missing_docs == []


def test_every_option_has_help() -> None:
    undocumented = [
        f"{name} {param.name}"
        for name, cmd in COMMANDS
        for param in cmd.params
        if param.param_type_name == "option" and not getattr(param, "help", None)
    ]
    assert undocumented == []


def test_readme_starts_with_the_two_commands() -> None:
    head = README[:1500]
    assert "bash scripts/demo.sh" in head and "bash scripts/test.sh" in head
