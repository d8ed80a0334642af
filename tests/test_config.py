"""Settings precedence: flag > environment > .env > livepost.toml > default, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from livepost.config import load_settings, read_config_file, resolve_event_dir
from livepost.errors import ConfigError

TOML = """\
[event]
name = "CCPR Conference 2026"
hashtags = ["#ccprconf26", "policing"]
timezone = "Europe/London"
langs = ["en-GB"]
schedule = "schedule.yaml"

[bluesky]
handle = "toml.example.org"
service = "http://toml.example:2583"

[storage]
database_url = "sqlite:///toml.db"
"""


@pytest.fixture
def event_dir(tmp_path: Path) -> Path:
    (tmp_path / "livepost.toml").write_text(TOML, encoding="utf-8")
    return tmp_path


def test_toml_values_and_stripped_hashtags(event_dir: Path) -> None:
    settings = load_settings(event_dir, environ={})
    assert settings.event.name == "CCPR Conference 2026"
    assert settings.event.hashtags == ["ccprconf26", "policing"]
    assert settings.event.langs == ["en-GB"]
    assert settings.zone.key == "Europe/London"
    assert settings.event_key == "ccpr-conference-2026"
    assert settings.handle == "toml.example.org"
    assert settings.service == "http://toml.example:2583"
    assert settings.database_url == "sqlite:///toml.db"
    assert settings.app_password is None
    assert settings.sources["handle"] == "livepost.toml"
    assert settings.schedule_path == event_dir / "schedule.yaml"


def test_precedence_flag_env_dotenv_toml_default(event_dir: Path) -> None:
    (event_dir / ".env").write_text(
        "LIVEPOST_HANDLE=dotenv.example.org\n"
        "LIVEPOST_APP_PASSWORD=dotenv-secret\n"
        "LIVEPOST_SERVICE=http://dotenv.example\n"
        "LIVEPOST_DATABASE_URL=sqlite:///dotenv.db\n"
        "UNRELATED=ignored\n",
        encoding="utf-8",
    )
    environ = {"LIVEPOST_HANDLE": "env.example.org", "LIVEPOST_DATABASE_URL": "sqlite:///env.db"}
    settings = load_settings(
        event_dir, flags={"database_url": "sqlite:///flag.db"}, environ=environ
    )
    assert settings.database_url == "sqlite:///flag.db"  # flag beats everything
    assert settings.handle == "env.example.org"  # environment beats .env and toml
    assert settings.app_password == "dotenv-secret"  # .env beats (absent) toml
    assert settings.service == "http://dotenv.example"  # .env beats toml
    assert settings.sources == {
        "database_url": "flag",
        "handle": "environment",
        "app_password": ".env",
        "service": ".env",
    }


def test_defaults_without_any_layer(tmp_path: Path) -> None:
    (tmp_path / "livepost.toml").write_text('[event]\nname = "X"\n', encoding="utf-8")
    settings = load_settings(tmp_path, environ={})
    assert settings.service == "https://bsky.social"
    assert settings.database_url == f"sqlite:///{tmp_path / 'livepost.db'}"
    assert settings.event.timezone == "UTC"
    assert settings.event.langs == ["en"]
    assert settings.sources["database_url"] == "default"
    assert settings.sources["handle"] == "unset"


def test_password_is_not_in_repr(event_dir: Path) -> None:
    settings = load_settings(event_dir, environ={"LIVEPOST_APP_PASSWORD": "hunter2-secret"})
    assert "hunter2-secret" not in repr(settings)


def test_event_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_event_dir("flagdir", {"LIVEPOST_EVENT": "envdir"}) == (Path("flagdir"), "flag")
    assert resolve_event_dir(None, {"LIVEPOST_EVENT": "envdir"}) == (Path("envdir"), "environment")
    assert resolve_event_dir(None, {}) == (tmp_path, "default")


def test_missing_config_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        read_config_file(tmp_path)
    assert err.value.message == (
        f"{tmp_path / 'livepost.toml'} not found: {tmp_path} is not a livepost event folder"
    )
    assert "livepost init DIR" in (err.value.hint or "")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[event]\nname = "X"\ntimezone = "Mars/Olympus"\n',
            "livepost.toml: event.timezone: 'Mars/Olympus' is not a time zone "
            "(use an IANA name like Europe/London)",
        ),
        (
            '[event]\nname = "X"\ncolour = "red"\n',
            "livepost.toml: event.colour: Extra inputs are not permitted",
        ),
        ("[bluesky]\nhandle = 'x'\n", "livepost.toml: event: Field required"),
        (
            '[event]\nname = "X"\nhashtags = ["two words"]\n',
            "livepost.toml: event.hashtags: 'two words' is not a hashtag "
            "(one word, with or without '#')",
        ),
        (
            '[event]\nname = "X"\n[bluesky]\napp_password = "secret"\n',
            "livepost.toml: bluesky.app_password: passwords do not belong in livepost.toml",
        ),
    ],
)
def test_invalid_config_names_the_field(tmp_path: Path, body: str, expected: str) -> None:
    (tmp_path / "livepost.toml").write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_config_file(tmp_path)
    assert err.value.message == f"{tmp_path}/{expected}"


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "livepost.toml").write_text('[event]\nname = "X\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_config_file(tmp_path)
    assert err.value.message.startswith(f"{tmp_path / 'livepost.toml'}: ")
    assert "line 2" in err.value.message
