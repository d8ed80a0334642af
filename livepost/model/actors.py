"""Who is asking: an identity (an id), never a name to compare.

Every action of the application layer is asked by an :class:`Actor`. A team member is known by
their member id; the command line (and the holder of the token ``livepost serve`` prints) is the
event's **owner**, an identity no team member can take by choosing a name; the daemon acts as
itself. Names are for people to read: the identity decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a person may do (the table is :data:`livepost.app.permissions.ROLE_ACTIONS`)."""

    OFFICER = "officer"
    REPORTER = "reporter"
    VIEWER = "viewer"


class ActorKind(StrEnum):
    OWNER = "owner"  # the command line, and the console's own token: the event's owner
    MEMBER = "member"  # a team member, by personal token
    DAEMON = "daemon"  # livepost run: plans, sends, archives


OWNER_ID = "owner"
DAEMON_ID = "daemon"
MEMBER_PREFIX = "member:"


def member_identity(member_id: int) -> str:
    """The identity stored with what a team member does (``member:12``)."""
    return f"{MEMBER_PREFIX}{member_id}"


@dataclass(frozen=True)
class Actor:
    """One identity and what it may do. Build with :meth:`owner`, :meth:`member`, :meth:`daemon`."""

    kind: ActorKind
    role: Role
    name: str
    member_id: int | None = None
    rooms: tuple[str, ...] = ()

    @classmethod
    def owner(cls, name: str = "owner") -> Actor:
        """The event's owner (the command line; ``name`` is only for display)."""
        return cls(ActorKind.OWNER, Role.OFFICER, name)

    @classmethod
    def member(cls, member_id: int, name: str, role: Role, rooms: tuple[str, ...] = ()) -> Actor:
        return cls(ActorKind.MEMBER, role, name, member_id, rooms)

    @classmethod
    def daemon(cls) -> Actor:
        return cls(ActorKind.DAEMON, Role.OFFICER, "livepost run")

    @property
    def identity(self) -> str:
        """``owner``, ``daemon`` or ``member:<id>``: what is stored and compared."""
        if self.kind == ActorKind.MEMBER:
            assert self.member_id is not None
            return member_identity(self.member_id)
        return OWNER_ID if self.kind == ActorKind.OWNER else DAEMON_ID

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def label(self) -> str:
        """How logs and pages name this actor: ``Alice (member 3)``, ``jane (owner)``."""
        if self.kind == ActorKind.MEMBER:
            return f"{self.name} (member {self.member_id})"
        return f"{self.name} ({self.kind})"


def identity_label(identity: str | None, name: str | None) -> str:
    """A stored identity and name as people read them (``Alice (member 3)``)."""
    if not identity:
        return name or ""
    if identity.startswith(MEMBER_PREFIX):
        return f"{name or '?'} (member {identity.removeprefix(MEMBER_PREFIX)})"
    return f"{name} ({identity})" if name and name != identity else identity
