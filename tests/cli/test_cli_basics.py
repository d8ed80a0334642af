"""The command line as a user meets it: init, errors without tracebacks, exit codes."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

from livepost import __version__
from tests.clirunner import run_livepost


def test_version() -> None:
    result = run_livepost("--version")
    assert (result.code, result.out) == (0, f"livepost {__version__}\n")


def test_init_creates_event_folder(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    result = run_livepost(
        "init",
        folder,
        "--name",
        "CCPR Conference 2026",
        "--hashtag",
        "#ccprconf26",
        "--hashtag",
        "policing",
        "--timezone",
        "Europe/London",
        "--lang",
        "en-GB",
    )
    assert result.code == 0, result.err
    config = tomllib.loads((folder / "livepost.toml").read_text(encoding="utf-8"))
    assert config["event"] == {
        "name": "CCPR Conference 2026",
        "hashtags": ["ccprconf26", "policing"],
        "timezone": "Europe/London",
        "langs": ["en-GB"],
        "schedule": "schedule.yaml",
    }
    assert (folder / "notes").is_dir()
    ignored = (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"livepost.db", ".env", ".livepost-session", ".livepost-writer-*.lock"} <= set(ignored)
    again = run_livepost("init", folder, "--name", "X", "--hashtag", "x")
    assert again.code == 3
    assert again.err == (
        f"Error: {folder / 'livepost.toml'} already exists\n"
        "Use another folder, or pass --force to overwrite livepost.toml.\n"
    )


def test_init_rejects_unknown_time_zone(tmp_path: Path) -> None:
    result = run_livepost(
        "init", tmp_path / "x", "--name", "X", "--hashtag", "x", "--timezone", "Mars/Base"
    )
    assert result.code == 3
    assert result.err.startswith(
        "Error: --timezone: 'Mars/Base' is not a time zone (use an IANA name like Europe/London)"
    )
    assert not (tmp_path / "x").exists()


def test_outside_an_event_folder_the_error_says_what_to_do(tmp_path: Path) -> None:
    result = run_livepost("schedule", "show", cwd=tmp_path)
    assert result.code == 3
    assert result.err == (
        f"Error: {tmp_path / 'livepost.toml'} not found: {tmp_path} is not a livepost event "
        "folder\nRun livepost in an event folder, pass --event DIR, set LIVEPOST_EVENT, or create "
        "one with: livepost init DIR --name NAME --hashtag TAG\n"
    )
    assert "Traceback" not in result.err


def test_event_folder_from_environment(tmp_path: Path) -> None:
    run_livepost("init", tmp_path / "ev", "--name", "Env Event", "--hashtag", "envtag")
    result = run_livepost("schedule", "show", env={"LIVEPOST_EVENT": str(tmp_path / "ev")})
    assert result.code == 0, result.err
    assert result.out == "No talks imported yet. Run: livepost schedule import FILE\n"
    db = tmp_path / "ev" / "livepost.db"
    assert db.exists()


def test_bad_database_url_is_a_store_error(tmp_path: Path) -> None:
    run_livepost("init", tmp_path / "ev", "--name", "E", "--hashtag", "e")
    result = run_livepost(
        "--event", tmp_path / "ev", "--database-url", "nonsense://", "schedule", "show"
    )
    assert result.code == 5
    assert result.err.startswith("Error: cannot open the database nonsense://")
    assert "Traceback" not in result.err


def test_env_file_permissions_warned_by_doctor(tmp_path: Path) -> None:
    event = tmp_path / "ev"
    run_livepost("init", event, "--name", "E", "--hashtag", "e")
    env_file = event / ".env"
    env_file.write_text("LIVEPOST_HANDLE=a.test\nLIVEPOST_APP_PASSWORD=abcd-efgh\n")
    env_file.chmod(0o644)
    result = run_livepost("--event", event, "doctor", "--offline")
    assert result.code == 0, result.err
    assert f"[warn] .env: {env_file} is readable by others (mode 644)" in result.out
    assert f"fix: Run: chmod 600 {env_file}" in result.out
    assert "abcd-efgh" not in result.out + result.err
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o644  # doctor reports, never changes


def test_usage_errors_exit_2_without_a_traceback() -> None:
    unknown_option = run_livepost("schedule", "show", "--bogus")
    assert unknown_option.code == 2
    assert unknown_option.err.endswith("Error: No such option: --bogus\n")
    unknown_command = run_livepost("nosuch")
    assert unknown_command.code == 2
    assert unknown_command.err.endswith("Error: No such command 'nosuch'.\n")
    assert "Traceback" not in unknown_option.err + unknown_command.err
