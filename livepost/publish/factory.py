"""Which publisher a run gets: the dry run, or the Bluesky account of the event.

Without credentials and without a stored session, livepost runs as a dry run (the demo's
default); ``dry_run=True`` forces it. The real publisher holds the account's writer lock until
``close()`` or the end of the process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from livepost.publish.dryrun import DryRunPublisher

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings
    from livepost.model import Talk
    from livepost.publish.base import Publisher
    from livepost.publish.records import ImageLike, Media


def has_credentials(settings: Settings) -> bool:
    """A stored session or a handle with an app password."""
    from livepost.bluesky.session import SessionStore

    stored = SessionStore(settings.event_dir).load() is not None
    return stored or bool(settings.handle and settings.app_password)


def make_publisher(settings: Settings, *, dry_run: bool = False) -> Publisher:
    """The publisher for a run. ``getattr(p, "dry_run", False)`` tells the two apart."""
    if dry_run or not has_credentials(settings):
        return DryRunPublisher()
    from livepost.bluesky.publisher import BlueskyPublisher
    from livepost.bluesky.session import SessionStore, open_client
    from livepost.publish.lock import WriterLock

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
    """Where the event's media come from: image paths relative to the event folder, cards drawn
    from the stored talks with the event's card settings (``[cards]``), link cards on."""
    from typing import Any

    from livepost.publish.records import Media

    talks: list[Talk] = []

    def render(spec: dict[str, Any]) -> tuple[ImageLike, str]:
        from livepost.event_cards import render_event_card
        from livepost.talks import stored_talks

        if not talks:
            talks.extend(stored_talks(settings, engine))
        card = render_event_card(
            settings,
            talks,
            spec.get("talk_id"),
            kind=spec.get("kind", "talk"),
            text=spec.get("text"),
            alt=spec.get("alt"),
        )
        return card, card.alt

    return Media(base_dir=settings.event_dir, card_renderer=render)
