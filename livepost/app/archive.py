"""The archive and the report, for every front end: ``livepost archive sync`` and ``export``.

Both are an officer's (``Action.EXPORT``), asked before anything is read from Bluesky or the
database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure

if TYPE_CHECKING:
    from livepost.archive.sync import SyncReport
    from livepost.export.report import Report

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Exported:
    """What ``export`` wrote: how many of our posts, community posts and talks."""

    path: Path
    posts: int
    community: int
    talks: int


class Archive(EventScope):
    """The engagement archive of the event, as one person asks of it."""

    def sync(self, *, hashtags: bool = True, progress: Progress | None = None) -> SyncReport:
        """Archive new posts under the hashtags, replies to our threads and every post's counts."""
        ensure(self.actor, Action.EXPORT)
        from livepost.archive.sync import PARTS, ClientReader, sync
        from livepost.bluesky.session import open_client

        with self.session():
            pass  # the event's row exists before the sync reads it
        reader = ClientReader(open_client(self.settings))
        parts = [p for p in PARTS if hashtags or p != "hashtags"]
        return sync(
            self.engine,
            self.settings.event_key,
            reader,
            hashtags=self.settings.event.hashtags,
            config=self.settings.archive,
            parts=parts,
            progress=progress,
        )

    def export(self, fmt: str, out: Path, *, talk_id: str | None = None) -> Exported:
        """Write the archive as a report (csv, json, md or html) to ``out``."""
        ensure(self.actor, Action.EXPORT)
        from livepost.export import export

        with self.session():
            pass
        report: Report = export(
            self.engine,
            self.settings.event_key,
            fmt,
            out,
            hashtags=self.settings.event.hashtags,
            talk_id=talk_id,
            our_handle=self.settings.handle,
            template_dirs=self.settings.template_dirs,
        )
        return Exported(out, len(report.posts), len(report.community), len(report.talks))
