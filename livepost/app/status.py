"""``livepost status``: the state of the event's queue, the daemon and the Bluesky session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure
from livepost.app.timeline import post_json
from livepost.config import MAX_NOTES_BYTES
from livepost.model.actors import identity_label
from livepost.model.posts import PostState

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings
    from livepost.store.quick import QuickReader

SHOWN = 5  # posts listed per section
CHANGES = 8  # recent changes from the audit log


@dataclass(frozen=True)
class Change:
    """One line of the audit log: who (identity and name), what, on what, when (event time)."""

    at: datetime
    actor_id: str
    actor_name: str
    action: str
    target: str
    detail: str | None = None

    @property
    def who(self) -> str:
        """``Ann (member 3)``, ``jane (owner)``: the name and the identity it belongs to."""
        return identity_label(self.actor_id, self.actor_name)

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "actor": self.actor_name,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
        }

    def line(self) -> str:
        detail = " ".join((self.detail or "").split())
        detail = detail if len(detail) <= 50 else detail[:49] + "…"
        detail = f" ({detail})" if detail else ""
        return f"  {self.at:%a %H:%M:%S}  {self.who}: {self.action} {self.target}{detail}"


@dataclass
class EventStatus:
    """Everything ``status`` shows, already in the event's time zone."""

    event: str
    timezone: str
    paused: bool
    daemon: str
    session: str
    session_json: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    next: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)
    #: a followed programme URL: how its last fetch went (None without a URL)
    programme: str | None = None
    programme_ok: bool = True
    #: the same, for ``--json``: url, last_success, last_failure {at, error}, failures, next_try
    programme_state: dict[str, Any] | None = None
    #: the newest changes people made (queue, edit, cancel, wall, team...), newest first
    changes: list[Change] = field(default_factory=list)
    #: notes files over the size limit, skipped by the plan: (path, size in bytes)
    notes_skipped: list[tuple[str, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "timezone": self.timezone,
            "paused": self.paused,
            "daemon": self.daemon,
            "session": self.session_json,
            "counts": self.counts,
            "next": self.next,
            "sent": self.sent,
            "failed": self.failed,
            "missed": self.missed,
            "programme": (
                None
                if self.programme is None
                else {
                    "ok": self.programme_ok,
                    "detail": self.programme,
                    **(self.programme_state or {}),
                }
            ),
            "changes": [c.to_json() for c in self.changes],
            "notes_skipped": [{"path": path, "bytes": size} for path, size in self.notes_skipped],
        }

    def lines(self) -> list[str]:
        counts = ", ".join(f"{n} {state}" for state, n in sorted(self.counts.items())) or "empty"
        out = [
            f"{self.event} ({self.timezone})",
            f"Daemon: {self.daemon}" + ("; PAUSED (livepost queue resume)" if self.paused else ""),
            f"Bluesky: {self.session}",
            f"Queue: {counts}",
        ]
        if self.programme is not None:
            out.append(
                ("Programme: " if self.programme_ok else "Programme: PROBLEM ") + self.programme
            )
        for path, size in self.notes_skipped:
            out.append(
                f"Notes: SKIPPED {path} ({size / 1_000_000:.1f} MB; a notes file holds at most "
                f"{MAX_NOTES_BYTES // 1_000_000} MB): its snippets are not planned until it is "
                "smaller"
            )
        waiting = {row["id"] for row in self.next}
        for title, rows, detail in (
            ("Next", self.next, None),
            ("Sent", self.sent, "uri"),
            ("Failed", self.failed, "error"),
            ("Missed", self.missed, "error"),
        ):
            if not rows:
                continue
            out.append(f"{title}:")
            for row in rows:
                when = str(row["sent_at"] if title == "Sent" else row["at"])[:16].replace("T", " ")
                text = " ".join(str(row["text"]).split())
                text = text if len(text) <= 50 else text[:49] + "…"
                extra = f"  -> {row[detail]}" if detail and row.get(detail) else ""
                extra += f"  (by {author_label(row)})" if row.get("author") else ""
                if title == "Next" and row.get("parent") in waiting:
                    extra += f"  (after #{row['parent']} in its thread)"
                out.append(f"  #{row['id']:<5} {when}  {row['key']}: {text}{extra}")
        if self.changes:
            out.append("Recent changes:")
            out.extend(change.line() for change in self.changes)
        return out


def daemon_state(engine: Engine, event_key: str) -> str:
    """Whether a ``livepost run`` holds the event's lock right now."""
    from livepost.store.lock import AlreadyRunning, RunLock

    lock = RunLock(engine, event_key)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        return _daemon_words(exc.holder)
    lock.release()
    return _daemon_words(None)


def _daemon_words(holder: str | None) -> str:
    """How ``status`` says who holds the run lock (None: no one)."""
    if holder is None:
        return "not running (start it with: livepost run)"
    return f"running ({holder})" if holder else "running"


def author_label(row: dict[str, Any]) -> str:
    """Who queued a post (``post_json`` shape), as :func:`identity_label` says it."""
    return identity_label(row.get("author_id"), row.get("author"))


class Status(EventScope):
    """``livepost status`` as one person asks for it (anyone on the team may read it)."""

    def read(self) -> EventStatus:
        ensure(self.actor, Action.READ)
        return event_status(self.settings, self.engine)


def _assemble(
    settings: Settings,
    *,
    paused: bool,
    daemon: str,
    counts: dict[PostState, int],
    queued: Sequence[Any],
    posted: Sequence[Any],
    failed: Sequence[Any],
    missed: Sequence[Any],
    changes: Sequence[Any],
) -> EventStatus:
    """The status from what was read, by either path: the same sections, the same order."""
    from livepost.bluesky.session_file import session_status

    zone = settings.zone
    session_info = session_status(settings)
    posted = sorted(posted, key=lambda r: (r.sent_at or r.due_at, r.id))
    return EventStatus(
        notes_skipped=oversized_notes(settings.notes_dir),
        event=settings.event.name,
        timezone=zone.key,
        paused=paused,
        daemon=daemon,
        session=session_info.describe(),
        session_json=session_info.to_json(),
        counts={str(state): count for state, count in counts.items()},
        next=[post_json(r, zone) for r in queued[:SHOWN]],
        sent=[post_json(r, zone) for r in posted[-SHOWN:]],
        failed=[post_json(r, zone) for r in failed],
        missed=[post_json(r, zone) for r in missed[-SHOWN:]],
        changes=[
            Change(
                row.at.replace(tzinfo=row.at.tzinfo or UTC).astimezone(zone),
                row.actor_id,
                row.actor_name,
                row.action,
                row.target,
                row.detail,
            )
            for row in changes
        ],
    )


def event_status(settings: Settings, engine: Engine) -> EventStatus:
    """The status read through the store (any database)."""
    from livepost.outbox.queries import count_by_state, list_posts
    from livepost.store.audit import recent
    from livepost.store.engine import session_scope
    from livepost.store.talks import ensure_event

    with session_scope(engine) as session:
        event = ensure_event(
            session, settings.event_key, settings.event.name, settings.event.timezone
        )
        status = _assemble(
            settings,
            paused=event.paused,
            daemon=daemon_state(engine, settings.event_key),
            counts=count_by_state(session, event),
            queued=list_posts(session, event, [PostState.QUEUED, PostState.SENDING]),
            posted=list_posts(session, event, [PostState.POSTED]),
            failed=list_posts(session, event, [PostState.FAILED]),
            missed=list_posts(session, event, [PostState.MISSED]),
            changes=recent(session, event, CHANGES),
        )
    followed = settings.schedule_url
    if followed is not None:
        from livepost.schedule.importer import (
            describe_followed,
            followed_json,
            followed_programme,
        )

        state = followed_programme(settings, engine)
        if state is None:
            status.programme = f"{followed}: not fetched yet (livepost schedule import)"
            status.programme_state = {"url": followed, "last_success": None}
        else:
            status.programme_ok, status.programme = describe_followed(state, settings.zone.key)
            status.programme_state = followed_json(state)
    return status


def quick_status(
    settings: Settings, reader: QuickReader, event_id: int, paused: bool
) -> EventStatus:
    """The same status read with :mod:`livepost.store.quick` (a SQLite event, no followed
    programme URL: that one needs the importer)."""
    from livepost.store.lock import file_lock_holder

    holder = file_lock_holder(str(reader.database), settings.event_key)
    return _assemble(
        settings,
        paused=paused,
        daemon=_daemon_words(holder),
        counts=reader.counts(event_id),
        queued=reader.posts(event_id, [PostState.QUEUED, PostState.SENDING]),
        posted=reader.posts(event_id, [PostState.POSTED]),
        failed=reader.posts(event_id, [PostState.FAILED]),
        missed=reader.posts(event_id, [PostState.MISSED]),
        changes=reader.recent_changes(event_id, CHANGES),
    )


def oversized_notes(notes_dir: Path) -> list[tuple[str, int]]:
    """Notes files the plan skips for their size (a stat each: nothing is read)."""
    if not notes_dir.is_dir():
        return []
    found = []
    for path in sorted(notes_dir.glob("*.md")):
        if path.name.startswith((".", "~", "#")):  # editor scratch files: never read
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if size > MAX_NOTES_BYTES:
            found.append((str(path), size))
    return found
