"""Event folders: what ``livepost init`` writes."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from livepost.config import CONFIG_FILE, EventSection
from livepost.errors import ConfigError

GITIGNORE = """\
# livepost: keep data and secrets out of version control
livepost.db
livepost.db-*
.env
*.session
.livepost-session
.livepost-writer-*.lock
uploads/
"""


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def create_event_folder(
    directory: Path,
    *,
    name: str,
    hashtags: list[str],
    timezone: str,
    langs: list[str],
    schedule: str,
    force: bool = False,
) -> list[Path]:
    """Write ``livepost.toml``, ``notes/`` and ``.gitignore``; returns what it created.

    Raises ``FileExistsError`` when livepost.toml exists and ``force`` is off.
    """
    try:
        section = EventSection(
            name=name, hashtags=hashtags, timezone=timezone, langs=langs, schedule=schedule
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ConfigError(
            f"--{field.split('.')[0].rstrip('s')}: {err['msg'].removeprefix('Value error, ')}"
        ) from None
    config = directory / CONFIG_FILE
    if config.exists() and not force:
        raise FileExistsError(config)
    directory.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "# livepost event settings; see the README's Settings section.\n"
        "[event]\n"
        f"name = {_toml_string(section.name)}\n"
        f"hashtags = {_toml_list(section.hashtags)}  # the first is added to every post\n"
        f"timezone = {_toml_string(section.timezone)}\n"
        f"langs = {_toml_list(section.langs)}\n"
        f"schedule = {_toml_string(schedule)}  # relative to this folder; any supported format\n"
        "# date = 2026-06-18  # the day, for a programme pasted as text\n"
        "\n[bluesky]\n"
        '# handle = "comms.example.org"  # the password goes in .env, never here\n'
        '# service = "https://bsky.social"\n',
        encoding="utf-8",
    )
    created = [config]
    notes = directory / "notes"
    if not notes.exists():
        notes.mkdir()
        created.append(notes)
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
        created.append(gitignore)
    return created
