"""The one place that assembles a run: which publisher (the dry run or the event's Bluesky
account), which clock (real or a replay), which media, and the daemon that ties them together.

Without credentials and without a stored session, livepost runs as a dry run (the demo's
default); ``dry_run=True`` forces it. The real publisher holds the account's writer lock until
``close()`` or the end of the process. This is the only module outside ``bluesky/`` that names
the Bluesky publisher: ``publish/`` never imports ``bluesky/``. Which jobs the run has follows
from the publisher built here (:func:`livepost.run.jobs.jobs_for`): a dry run has no gates,
archive or wall jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from livepost.app.event import EventApp
from livepost.errors import ConfigError
from livepost.model.actors import Actor
from livepost.publish.dryrun import DryRunPublisher
from livepost.publish.lock import WriterLock
from livepost.run.clock import Clock, RealClock, SimulatedClock
from livepost.run.daemon import Daemon
from livepost.run.rehearsal import rehearsal_key
from livepost.times import parse_moment

if TYPE_CHECKING:
    from livepost.app.daemon import Engine, Media, Publisher
    from livepost.config import Settings
    from livepost.model import Talk


def has_credentials(settings: Settings) -> bool:
    """A stored session (``livepost login``) or a handle with an app password."""
    from livepost.bluesky.session import SessionStore

    stored = SessionStore(settings.event_dir).load() is not None
    return stored or bool(settings.handle and settings.app_password)


def make_publisher(settings: Settings, *, dry_run: bool = False) -> Publisher:
    """The publisher for a run; its ``dry_run`` tells the two apart.

    atproto is imported only here, when a real account is used (it costs a second at start-up).
    """
    if dry_run or not has_credentials(settings):
        return DryRunPublisher()
    from livepost.bluesky.publisher import BlueskyPublisher
    from livepost.bluesky.session import SessionStore, open_client

    stored = SessionStore(settings.event_dir).load()
    account = settings.handle or (stored.handle if stored else "account")
    lock = WriterLock(settings.event_dir, account.lower().lstrip("@")).acquire()
    try:
        client = open_client(settings)
        return BlueskyPublisher(client, lock=lock)
    except BaseException:
        lock.release()
        raise


def make_media(settings: Settings, engine: Engine) -> Media:
    """The event's media with the programme (read once, when the first card is drawn)."""
    work = EventApp(settings, engine, Actor.daemon()).daemon
    talks: list[Talk] = []

    def programme() -> list[Talk]:
        if not talks:
            talks.extend(work.talks())
        return talks

    return work.media(programme, link_cards=True)


def simulation_start(talks: list[Talk], settings: Settings) -> datetime:
    """A little before the first post of the event's first day."""
    items = [t for t in talks if not t.withdrawn]
    if not items:
        raise ConfigError(
            "the event has no talks to replay",
            hint="Import the programme first: livepost schedule import",
        )
    first = min(t.start for t in items)
    before = max(settings.plan.opening_minutes, settings.plan.lead_minutes) + 5
    return (first - timedelta(minutes=before)).astimezone(UTC)


@dataclass
class RunRequest:
    """What ``livepost run`` was asked to do."""

    dry_run: bool = False
    once: bool = False
    until: str | None = None
    speed: float | None = None
    start: str | None = None


def build_daemon(
    settings: Settings, engine: Engine, request: RunRequest, echo: Callable[[str], None]
) -> Daemon:
    """The daemon for ``livepost run``: real or rehearsal, real or simulated clock."""
    dry = request.dry_run or not has_credentials(settings)
    if request.speed is not None and not dry:
        raise ConfigError(
            "--speed replays the day faster and only works with --dry-run",
            hint="Rehearse with: livepost run --dry-run --speed 60",
        )
    if request.speed is not None and request.speed <= 0:
        raise ConfigError("--speed must be a positive number", hint="For example --speed 60.")
    event_key = settings.event_key
    publisher: Publisher
    if dry:
        if not request.dry_run:
            echo("No Bluesky account configured: rehearsing (dry run), nothing is posted.")
        event_key = rehearsal_key(settings.event_key)
        publisher = DryRunPublisher()
    else:
        publisher = make_publisher(settings)
    talks = EventApp(settings, engine, Actor.daemon()).daemon.talks()
    clock: Clock
    if request.speed is not None:
        first = simulation_start(talks, settings)
        start = (
            parse_moment(request.start, first, settings.zone, later=False)
            if request.start
            else first
        )
        clock = SimulatedClock(start, request.speed)
    else:
        clock = RealClock()
    until = (
        parse_moment(request.until, clock.now(), settings.zone, later=True)
        if request.until
        else None
    )
    daemon = Daemon(
        settings,
        engine,
        publisher,
        event_key=event_key,
        clock=clock,
        once=request.once,
        until=until,
        end_when_done=request.speed is not None,
        echo=echo,
        rehearse=dry,
    )
    daemon.talks = talks
    return daemon
