"""``livepost status``: the state of the event's queue, the daemon and the Bluesky session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from livepost.app.timeline import post_json
from livepost.outbox.queries import PostState, list_posts
from livepost.store.engine import session_scope
from livepost.store.lock import AlreadyRunning, RunLock
from livepost.store.models import OutboxRow
from livepost.store.talks import ensure_event

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings

SHOWN = 5  # posts listed per section


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
                else {"ok": self.programme_ok, "detail": self.programme}
            ),
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
                extra += f"  (by {row['author']})" if row.get("author") else ""
                if title == "Next" and row.get("parent") in waiting:
                    extra += f"  (after #{row['parent']} in its thread)"
                out.append(f"  #{row['id']:<5} {when}  {row['key']}: {text}{extra}")
        return out


def daemon_state(engine: Engine, event_key: str) -> str:
    """Whether a ``livepost run`` holds the event's lock right now."""

    lock = RunLock(engine, event_key)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        return f"running ({exc.holder})" if exc.holder else "running"
    lock.release()
    return "not running (start it with: livepost run)"


def event_status(settings: Settings, engine: Engine) -> EventStatus:
    from sqlalchemy import func, select

    from livepost.bluesky.session_file import session_status

    zone = settings.zone
    session_info = session_status(settings)
    with session_scope(engine) as session:
        event = ensure_event(
            session, settings.event_key, settings.event.name, settings.event.timezone
        )
        counts = {
            str(state): count
            for state, count in session.execute(
                select(OutboxRow.state, func.count(OutboxRow.id))
                .where(OutboxRow.event_id == event.id)
                .group_by(OutboxRow.state)
            )
        }
        queued = list_posts(session, event, [PostState.QUEUED, PostState.SENDING])
        posted = sorted(
            list_posts(session, event, [PostState.POSTED]),
            key=lambda r: (r.sent_at or r.due_at, r.id),
        )
        failed = list_posts(session, event, [PostState.FAILED])
        missed = list_posts(session, event, [PostState.MISSED])
        status = EventStatus(
            event=settings.event.name,
            timezone=zone.key,
            paused=event.paused,
            daemon=daemon_state(engine, settings.event_key),
            session=session_info.describe(),
            session_json=session_info.to_json(),
            counts=counts,
            next=[post_json(r, zone) for r in queued[:SHOWN]],
            sent=[post_json(r, zone) for r in posted[-SHOWN:]],
            failed=[post_json(r, zone) for r in failed],
            missed=[post_json(r, zone) for r in missed[-SHOWN:]],
        )
    followed = settings.schedule_url
    if followed is not None:
        from livepost.schedule.importer import describe_followed, followed_programme

        state = followed_programme(settings, engine)
        if state is None:
            status.programme = f"{followed}: not fetched yet (livepost schedule import)"
        else:
            status.programme_ok, status.programme = describe_followed(state, zone.key)
    return status
