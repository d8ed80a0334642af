"""Settings: command-line flags > environment (``LIVEPOST_*``) > ``.env`` in the event folder >
``livepost.toml`` > defaults.

Loaded once, in the CLI callback, never at import time. Every resolved value remembers where it
came from so ``livepost doctor`` can say which layer to change. Secrets (the app password) are
never written to ``livepost.toml`` and never printed.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from livepost.errors import ConfigError
from livepost.model.ids import slugify

CONFIG_FILE = "livepost.toml"
#: a notes file larger than this is skipped, not read (it would queue thousands of posts): the
#: notes reader, ``notes check``, the plan and ``status`` all hold files to it
MAX_NOTES_BYTES = 1_000_000
DEFAULT_SERVICE = "https://bsky.social"

#: environment variable -> the setting it provides (also read from the event's ``.env``)
ENV_VARS: dict[str, str] = {
    "LIVEPOST_EVENT": "event_dir",
    "LIVEPOST_DATABASE_URL": "database_url",
    "LIVEPOST_HANDLE": "handle",
    "LIVEPOST_APP_PASSWORD": "app_password",
    "LIVEPOST_SERVICE": "service",
}


class EventSection(BaseModel):
    """``[event]`` of livepost.toml."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    hashtags: list[str] = Field(default_factory=list)
    timezone: str = "UTC"
    langs: list[str] = Field(default_factory=lambda: ["en"], max_length=3)
    schedule: str | None = None  # a file in the event folder, or an http(s) URL to follow
    date: dt.date | None = None  # the day of a programme pasted as text
    #: ``livepost run`` fetches a programme URL again this often
    schedule_refresh_minutes: float = Field(default=5.0, gt=0, le=1440)

    @field_validator("hashtags")
    @classmethod
    def _strip_hash(cls, tags: list[str]) -> list[str]:
        cleaned = [t.strip().lstrip("#＃") for t in tags]
        for tag in cleaned:
            if not tag or any(c.isspace() for c in tag):
                raise ValueError(f"{tag!r} is not a hashtag (one word, with or without '#')")
        return cleaned

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{name!r} is not a time zone (use an IANA name like Europe/London)"
            ) from None
        return name


class BlueskySection(BaseModel):
    """``[bluesky]`` of livepost.toml: who posts, where. The password is never kept here."""

    model_config = ConfigDict(extra="forbid")

    handle: str | None = None
    service: str | None = None


class StorageSection(BaseModel):
    """``[storage]`` of livepost.toml."""

    model_config = ConfigDict(extra="forbid")

    database_url: str | None = None


class CardsSection(BaseModel):
    """``[cards]`` of livepost.toml: how image cards look (see docs/cards.md)."""

    model_config = ConfigDict(extra="forbid")

    theme: str = "default"
    width: int = Field(default=1200, ge=320, le=4000)
    height: int = Field(default=675, ge=320, le=4000)
    logo: str | None = None  # an image file, relative to the event folder


class PlanSection(BaseModel):
    """``[plan]`` of livepost.toml: what the planner posts, and when (see plan/planner.py)."""

    model_config = ConfigDict(extra="forbid")

    #: the announcement of a talk goes out this many minutes before it starts
    lead_minutes: int = Field(default=5, ge=0, le=240)
    #: a post is still sent when it is at most this late (livepost was not running); later: missed
    grace_minutes: int = Field(default=10, ge=0, le=1440)
    #: a "thank you" post at the end of each talk's thread
    wrapup: bool = True
    #: breaks (coffee, lunch) get an announcement too
    announce_breaks: bool = False
    #: a day-opening post before the first item and a day-closing post after the last
    day_posts: bool = True
    #: the day-opening post goes out this many minutes before the day's first item
    opening_minutes: int = Field(default=15, ge=0, le=720)
    #: the day-closing post goes out this many minutes after the day's last item ends
    closing_minutes: int = Field(default=0, ge=0, le=720)
    #: number the parts of a snippet that is split into several posts ("1/3")
    numbering: bool = False
    #: a post due together with replies under it goes out with them in one applyWrites call
    atomic_threads: bool = False
    #: when text and hashtags do not fit one post, put the hashtags in the record's ``tags``
    #: field (searchable, not shown in the text) instead of splitting the text into a thread
    tags_in_record: bool = False
    #: keep Markdown emphasis markers (``*text*``, ``**text**``, ``_text_``) in snippets; by
    #: default they are removed, since Bluesky shows them literally
    keep_markdown: bool = False


class ArchiveSection(BaseModel):
    """``[archive]`` of livepost.toml: how often the daemon reads engagement and the hashtag
    (see livepost/archive/sync.py)."""

    model_config = ConfigDict(extra="forbid")

    #: a post counts as fresh for this many minutes after it went out
    fresh_minutes: int = Field(default=60, ge=1, le=1440)
    #: fresh posts have their counts read this often
    fresh_interval_minutes: int = Field(default=5, ge=1, le=1440)
    #: older posts have their counts read this often, until the final sync
    later_interval_minutes: int = Field(default=60, ge=1, le=10080)
    #: one last full sync this many hours after the event's last item ends
    final_sync_hours: int = Field(default=24, ge=0, le=720)
    #: the hashtag search runs this often while the capture window is open
    hashtag_interval_minutes: int = Field(default=10, ge=1, le=1440)
    #: community posts count from this many days before the event's first item...
    capture_days_before: int = Field(default=7, ge=0, le=365)
    #: ...to this many days after its last item
    capture_days_after: int = Field(default=7, ge=0, le=365)


class WallSection(BaseModel):
    """``[wall]`` of livepost.toml: the venue screen (``/wall`` in the console)."""

    model_config = ConfigDict(extra="forbid")

    #: the wall page reloads its posts this often
    refresh_seconds: int = Field(default=15, ge=2, le=3600)
    #: our own posts are shown too
    include_ours: bool = False
    #: while ``livepost run`` runs, the hashtag search for the wall runs this often
    poll_seconds: int = Field(default=15, ge=5, le=3600)
    #: posts on the wall at once (the newest; pinned ones first)
    max_posts: int = Field(default=30, ge=1, le=200)
    #: a Jetstream (v2) address, e.g. "wss://jetstream.us-east.bsky.network/xrpc": the daemon
    #: reads the live stream of posts too and keeps its cursor; empty: search only
    jetstream: str = ""

    @field_validator("jetstream")
    @classmethod
    def _websocket(cls, url: str) -> str:
        if url and not url.startswith(("wss://", "ws://")):
            raise ValueError(f"{url!r} is not a websocket address (wss://...)")
        return url


class PublishSection(BaseModel):
    """``[publish]`` of livepost.toml: who may reply to and quote our announcements."""

    model_config = ConfigDict(extra="forbid")

    #: a threadgate written with each announcement: everyone (no gate), following (accounts we
    #: follow), mentioned (accounts mentioned in the thread) or nobody
    reply_control: Literal["everyone", "following", "mentioned", "nobody"] = "everyone"
    #: false: a postgate on each announcement disables quoting it
    quotes: bool = True


class ConfigFile(BaseModel):
    """The whole livepost.toml."""

    model_config = ConfigDict(extra="forbid")

    event: EventSection
    bluesky: BlueskySection = Field(default_factory=BlueskySection)
    storage: StorageSection = Field(default_factory=StorageSection)
    plan: PlanSection = Field(default_factory=PlanSection)
    cards: CardsSection = Field(default_factory=CardsSection)
    archive: ArchiveSection = Field(default_factory=ArchiveSection)
    wall: WallSection = Field(default_factory=WallSection)
    publish: PublishSection = Field(default_factory=PublishSection)


@dataclass
class Settings:
    """Resolved settings for one event folder. ``sources`` maps a setting to where it came from
    (``flag``, ``environment``, ``.env``, ``livepost.toml`` or ``default``)."""

    event_dir: Path
    event: EventSection
    cards: CardsSection
    database_url: str
    service: str
    handle: str | None
    app_password: str | None = field(repr=False)
    sources: dict[str, str] = field(default_factory=dict)
    plan: PlanSection = field(default_factory=PlanSection)
    archive: ArchiveSection = field(default_factory=ArchiveSection)
    wall: WallSection = field(default_factory=WallSection)
    publish: PublishSection = field(default_factory=PublishSection)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.event.timezone)

    @property
    def event_key(self) -> str:
        return slugify(self.event.name)

    @property
    def notes_dir(self) -> Path:
        return self.event_dir / "notes"

    @property
    def template_dirs(self) -> list[Path]:
        """The event's own ``templates/`` (searched before the built-in templates), if any."""
        folder = self.event_dir / "templates"
        return [folder] if folder.is_dir() else []

    @property
    def schedule_url(self) -> str | None:
        """The programme's address when ``[event] schedule`` is an http(s) URL."""
        value = self.event.schedule
        return value if value and is_url(value) else None

    @property
    def schedule_path(self) -> Path | None:
        """The programme file in the event folder (None for a URL or no setting)."""
        value = self.event.schedule
        if not value or is_url(value):
            return None
        return self.event_dir / value

    @property
    def people_path(self) -> Path:
        """The people file: speaker name -> Bluesky handle, wins over the programme."""
        return self.event_dir / "people.toml"


def is_url(value: str) -> bool:
    """An http(s) address rather than a file name."""
    return value.lower().startswith(("http://", "https://"))


def read_dotenv(event_dir: Path) -> dict[str, str]:
    """The ``LIVEPOST_*`` values of ``event_dir/.env`` (the process environment is not touched)."""
    path = event_dir / ".env"
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if k in ENV_VARS and v is not None}


def read_config_file(event_dir: Path) -> ConfigFile:
    """Parse and validate ``livepost.toml``; errors name the file, line or dotted field."""
    path = event_dir / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(
            f"{path} not found: {event_dir} is not a livepost event folder",
            hint=(
                "Run livepost in an event folder, pass --event DIR, set LIVEPOST_EVENT, "
                "or create one with: livepost init DIR --name NAME --hashtag TAG"
            ),
        )
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}", hint="Fix the TOML syntax at that line.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text", hint="Save it as UTF-8.") from None
    if "app_password" in raw.get("bluesky", {}):
        raise ConfigError(
            f"{path}: bluesky.app_password: passwords do not belong in livepost.toml",
            hint="Remove it and put LIVEPOST_APP_PASSWORD=... in the event's .env file instead.",
        )
    try:
        return ConfigFile.model_validate(raw)
    except ValidationError as exc:
        problems = "\n".join(
            f"{path}: {'.'.join(str(p) for p in err['loc'])}: {_clean_msg(err['msg'])}"
            for err in exc.errors()
        )
        raise ConfigError(problems, hint="Fix livepost.toml (see the README's Settings).") from None


def _clean_msg(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def resolve_event_dir(flag: str | Path | None, environ: Mapping[str, str]) -> tuple[Path, str]:
    """The event folder: ``--event``, else ``LIVEPOST_EVENT``, else the current folder."""
    if flag:
        return Path(flag).expanduser(), "flag"
    if environ.get("LIVEPOST_EVENT"):
        return Path(environ["LIVEPOST_EVENT"]).expanduser(), "environment"
    return Path.cwd(), "default"


def load_settings(
    event_dir: Path,
    *,
    flags: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every setting for ``event_dir`` through the documented precedence."""
    environ = os.environ if environ is None else environ
    flags = flags or {}
    config = read_config_file(event_dir)
    dotenv = read_dotenv(event_dir)
    toml_values: dict[str, str | None] = {
        "database_url": config.storage.database_url,
        "handle": config.bluesky.handle,
        "service": config.bluesky.service,
        "app_password": None,
    }

    defaults: dict[str, str | None] = {
        "database_url": default_database_url(event_dir),
        "service": DEFAULT_SERVICE,
        "handle": None,
        "app_password": None,
    }
    env_for = {setting: var for var, setting in ENV_VARS.items()}
    values: dict[str, str | None] = {}
    sources: dict[str, str] = {}
    for setting in defaults:
        var = env_for[setting]
        for source, value in (
            ("flag", flags.get(setting)),
            ("environment", environ.get(var)),
            (".env", dotenv.get(var)),
            (CONFIG_FILE, toml_values[setting]),
            ("default", defaults[setting]),
        ):
            if value:
                values[setting], sources[setting] = value, source
                break
        else:
            values[setting], sources[setting] = None, "unset"
    return Settings(
        event_dir=event_dir,
        event=config.event,
        cards=config.cards,
        database_url=values["database_url"] or "",
        service=(values["service"] or DEFAULT_SERVICE).rstrip("/"),
        handle=values["handle"],
        app_password=values["app_password"],
        sources=sources,
        plan=config.plan,
        archive=config.archive,
        wall=config.wall,
        publish=config.publish,
    )


def default_database_url(event_dir: Path) -> str:
    """The event's own SQLite file: ``sqlite:///<event_dir>/livepost.db``."""
    return f"sqlite:///{event_dir.resolve() / 'livepost.db'}"
