"""The comms team: people with their own access and a role, for every front end.

``livepost team add`` gives a person a personal token (shown once, stored as its SHA-256) and a
role: an **officer** may do everything; a **reporter** posts snippets and photos into the talks
of their rooms and sees, edits or cancels their own unsent posts; a **viewer** reads. The token
``livepost serve`` prints is the officer's. Every check of who may do what lives in
:class:`Actor`, so the console, the API and the phone page cannot disagree.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from livepost.errors import InputError, NotAllowed
from livepost.store.engine import session_scope
from livepost.store.models import TeamMemberRow, utc_now
from livepost.store.programme import current_talks
from livepost.store.talks import ensure_event

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings
    from livepost.model import Talk
    from livepost.store.models import OutboxRow

MAX_NAME = 100
TOKEN_BYTES = 32


class Role(StrEnum):
    OFFICER = "officer"
    REPORTER = "reporter"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Actor:
    """Who is asking: a team member, the console's officer token, or the command line."""

    name: str
    role: Role
    rooms: tuple[str, ...] = ()

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    def may_post_in(self, talk: Talk | None) -> None:
        """Raise unless this person may queue a post (in ``talk``'s thread, when given)."""
        if self.role == Role.VIEWER:
            raise NotAllowed(f"{self.name} is a viewer: viewers read, they do not post")
        if self.role == Role.REPORTER:
            if talk is None:
                raise NotAllowed(
                    f"{self.name} is a reporter: a reporter posts into a talk of their rooms",
                    hint="Choose the talk.",
                )
            if talk.room not in self.rooms:
                rooms = ", ".join(self.rooms) or "none"
                raise NotAllowed(
                    f"{talk.id} is in {talk.room or 'no room'}, not in {self.name}'s rooms "
                    f"({rooms})"
                )

    def may_change(self, row: OutboxRow) -> None:
        """Raise unless this person may edit or cancel the post: an officer any, a reporter
        their own."""
        if self.is_officer:
            return
        if self.role == Role.REPORTER and row.author == self.name:
            return
        raise NotAllowed(f"post {row.id} is not {self.name}'s to change")

    def must_be_officer(self, what: str) -> None:
        if not self.is_officer:
            raise NotAllowed(f"only an officer may {what} ({self.name} is a {self.role})")

    def sees(self, talk: Talk) -> bool:
        """Whether a talk is one of this person's (a reporter's rooms; everyone else: all)."""
        return self.role != Role.REPORTER or talk.room in self.rooms


def cli_actor() -> Actor:
    """The command line acts as the officer, under the OS user's name."""
    try:
        name = getpass.getuser() or "cli"
    except (KeyError, OSError):
        name = "cli"
    return Actor(name, Role.OFFICER)


#: the holder of the token ``livepost serve`` printed
CONSOLE_OFFICER = Actor("officer", Role.OFFICER)


@dataclass
class Member:
    """A team member as ``team list`` shows them (never the token)."""

    name: str
    role: Role
    rooms: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    revoked: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": str(self.role),
            "rooms": list(self.rooms),
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "revoked": self.revoked,
        }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def personal_link(base_url: str, token: str) -> str:
    """The address a member opens (the phone page of a reporter, the console of the others)."""
    return f"{base_url.rstrip('/')}/?token={token}"


def qr_text(data: str) -> str:
    """A QR code of ``data`` drawn with block characters, for a terminal."""
    import io

    import segno

    out = io.StringIO()
    segno.make_qr(data, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


class Team:
    """The event's team, stored in the event's database."""

    def __init__(
        self, settings: Settings, engine: Engine, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock

    def _event_id(self, session: Any) -> int:
        event = self.settings.event
        return ensure_event(session, self.settings.event_key, event.name, event.timezone).id

    def add(self, name: str, role: str, rooms: Sequence[str] = ()) -> tuple[Member, str]:
        """Add a person; returns them and their personal token (the only time it is seen)."""
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise InputError("NAME", f"a name of 1 to {MAX_NAME} characters is needed")
        try:
            chosen = Role(role)
        except ValueError:
            raise InputError(
                "--role", f"unknown role {role!r}", hint="Choose officer, reporter or viewer."
            ) from None
        wanted = [" ".join(r.split()) for r in rooms if r.strip()]
        if chosen == Role.REPORTER and not wanted:
            raise InputError(
                "--room", "a reporter needs at least one room", hint="Give --room ROOM."
            )
        known = sorted({t.room for t in current_talks(self.settings, self.engine) if t.room})
        unknown = [r for r in wanted if known and r not in known]
        if unknown:
            raise InputError(
                "--room",
                f"no room {unknown[0]!r} in the programme",
                hint=f"The rooms are: {', '.join(known)}.",
            )
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with session_scope(self.engine) as session:
            event_id = self._event_id(session)
            existing = session.scalars(
                select(TeamMemberRow).where(
                    TeamMemberRow.event_id == event_id, TeamMemberRow.name == name
                )
            ).one_or_none()
            if existing is not None and existing.revoked_at is None:
                raise InputError(
                    "NAME",
                    f"{name} is already in the team",
                    hint=f"To give them a new link: livepost team revoke {name!r}, then add "
                    "them again.",
                )
            row = existing or TeamMemberRow(event_id=event_id, name=name)
            row.role, row.rooms, row.token_hash = str(chosen), wanted, token_hash(token)
            row.created_at, row.revoked_at = self.clock(), None
            session.add(row)
            session.flush()
            return _member(row), token

    def list(self) -> list[Member]:
        with session_scope(self.engine) as session:
            event_id = self._event_id(session)
            rows = session.scalars(
                select(TeamMemberRow)
                .where(TeamMemberRow.event_id == event_id)
                .order_by(TeamMemberRow.name)
            )
            return [_member(r) for r in rows]

    def revoke(self, name: str) -> Member:
        """The person's token stops working at once (their posts keep their name)."""
        with session_scope(self.engine) as session:
            event_id = self._event_id(session)
            row = session.scalars(
                select(TeamMemberRow).where(
                    TeamMemberRow.event_id == event_id, TeamMemberRow.name == name
                )
            ).one_or_none()
            if row is None or row.revoked_at is not None:
                raise InputError(
                    "NAME",
                    f"no one called {name!r} has access",
                    hint="See the team with: livepost team list",
                )
            row.revoked_at = self.clock()
            return _member(row)

    def authenticate(self, token: str) -> Actor | None:
        """The member whose personal token this is (None: unknown or revoked)."""
        if not token or len(token) > 200:
            return None
        wanted = token_hash(token)
        with session_scope(self.engine) as session:
            event_id = self._event_id(session)
            row = session.scalars(
                select(TeamMemberRow).where(
                    TeamMemberRow.event_id == event_id,
                    TeamMemberRow.token_hash == wanted,
                    TeamMemberRow.revoked_at.is_(None),
                )
            ).one_or_none()
            if row is None or not hmac.compare_digest(row.token_hash, wanted):
                return None
            return Actor(row.name, Role(row.role), tuple(row.rooms or ()))


def _member(row: TeamMemberRow) -> Member:
    return Member(
        row.name, Role(row.role), list(row.rooms or []), row.created_at, row.revoked_at is not None
    )
