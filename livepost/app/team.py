"""The comms team: people with their own access and a role, for every front end.

``livepost team add`` gives a person a personal token (shown once, stored as its SHA-256), a
member id and a role (see :mod:`livepost.app.permissions` for what each role may do). A member is
known by their id: names are for people, unique per event regardless of case, and never one of
the reserved names (owner, officer, admin, the computer's user), so no one becomes the officer or
the command line by choosing a name. Only an officer (or the command line) manages the team.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure
from livepost.errors import Conflict, InputError, NotFound
from livepost.model.actors import Actor, Role
from livepost.schedule.current import current_talks
from livepost.store import team as team_store
from livepost.store.engine import session_scope
from livepost.store.models import TeamMemberRow
from livepost.store.talks import ensure_event

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings

MAX_NAME = 100
TOKEN_BYTES = 32


#: names no team member may take (compared case-insensitively): the identities of the command
#: line and the console's own token, and the words people would read as them
RESERVED_NAMES = ("owner", "officer", "admin", "administrator", "root", "cli", "daemon", "system")


def name_key(name: str) -> str:
    """How names are compared: NFKC-normalised, case-folded (``Ｏｆｆｉｃｅｒ`` is ``officer``)."""
    return unicodedata.normalize("NFKC", name).casefold()


def reserved_names() -> set[str]:
    """The reserved names, with the computer's user (the command line shows under it)."""
    names = {name_key(n) for n in RESERVED_NAMES}
    with contextlib.suppress(KeyError, OSError):
        names.add(name_key(getpass.getuser()))
    return names


@dataclass
class Member:
    """A team member as ``team list`` shows them (never the token)."""

    id: int
    name: str
    role: Role
    rooms: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    revoked: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
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


class Team(EventScope):
    """The event's team, stored in the event's database; every method asks who is asking."""

    def add(self, name: str, role: str, rooms: Sequence[str] = ()) -> tuple[Member, str]:
        """Add a person; returns them and their personal token (the only time it is seen)."""
        ensure(self.actor, Action.MANAGE_TEAM)
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise InputError("NAME", f"a name of 1 to {MAX_NAME} characters is needed")
        if not name.isprintable():
            raise InputError("NAME", "a name cannot hold control characters")
        key = name_key(name)
        if key in reserved_names():
            raise Conflict(
                f"the name {name!r} is reserved: it names the event's owner or the command line",
                hint="Give the person their own name.",
            )
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
        with self.session() as (session, event):
            existing = team_store.by_name_key(session, event, key)
            if existing is not None and existing.revoked_at is None:
                taken = existing.name if existing.name != name else name
                raise Conflict(
                    f"the name {name!r} is taken: {taken} is already in the team "
                    f"(member {existing.id}; names are compared without case or width)",
                    hint=f"To give them a new link: livepost team revoke {taken!r}, then add "
                    "them again; for another person, choose another name.",
                )
            row = existing or TeamMemberRow(event_id=event.id, name=name, name_key=key)
            row.name = name
            row.role, row.rooms, row.token_hash = str(chosen), wanted, token_hash(token)
            row.created_at, row.revoked_at = self.clock(), None
            session.add(row)
            session.flush()
            self.audit(session, event, "team add", f"member:{row.id}", f"{name} as {chosen}")
            return _member(row), token

    def list(self) -> list[Member]:
        ensure(self.actor, Action.MANAGE_TEAM)
        with self.session() as (session, event):
            return [_member(r) for r in team_store.members(session, event)]

    def revoke(self, name: str) -> Member:
        """The person's token stops working at once (their posts keep their id and name)."""
        ensure(self.actor, Action.MANAGE_TEAM)
        with self.session() as (session, event):
            row = team_store.by_name_key(session, event, name_key(" ".join(name.split())))
            if row is None or row.revoked_at is not None:
                raise NotFound(
                    f"no one called {name!r} has access",
                    hint="See the team with: livepost team list",
                )
            row.revoked_at = self.clock()
            self.audit(session, event, "team revoke", f"member:{row.id}", row.name)
            return _member(row)


def authenticate(settings: Settings, engine: Engine, token: str) -> Actor | None:
    """The member whose personal token this is (None: unknown or revoked). Asked on every
    request, so a revoked token stops working at once."""
    if not token or len(token) > 200:
        return None
    wanted = token_hash(token)
    with session_scope(engine) as session:
        event = settings.event
        row = team_store.by_token_hash(
            session, ensure_event(session, settings.event_key, event.name, event.timezone), wanted
        )
        if row is None or not hmac.compare_digest(row.token_hash, wanted):
            return None
        return Actor.member(row.id, row.name, Role(row.role), tuple(row.rooms or ()))


def _member(row: TeamMemberRow) -> Member:
    return Member(
        row.id,
        row.name,
        Role(row.role),
        list(row.rooms or []),
        row.created_at,
        row.revoked_at is not None,
    )
