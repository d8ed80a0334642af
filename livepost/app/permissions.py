"""Who may do what: one table of roles × actions, asked before every action.

Every method of the application layer starts with :func:`ensure` (or one of the scoped checks
below) and only then reads or writes. A refusal is :class:`~livepost.errors.NotAllowed`, which
each front end translates once (403, or the CLI's exit code 7) and which changes nothing.
The README's "Roles" table is generated from :data:`ROLE_ACTIONS` and checked by a test.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from livepost.errors import NotAllowed
from livepost.model.actors import Actor, ActorKind, Role

if TYPE_CHECKING:
    from livepost.model import Talk


class Action(StrEnum):
    """Everything a person can ask livepost to do. The value is how a refusal names it."""

    READ = "read the programme, the queue, the wall and the engagement"
    POST = "queue a post"
    CHANGE_OWN = "edit or cancel their own unsent posts"
    CHANGE_ANY = "edit or cancel anyone's posts"
    RETRY = "send a failed or missed post again"
    REORDER = "reorder the queue"
    PAUSE = "pause or resume sending"
    MODERATE_WALL = "hide, pin or block on the venue wall"
    HIDE_REPLY = "hide replies in our threads"
    MANAGE_TEAM = "add, list or revoke team members"
    PROGRAMME = "import or change the programme"
    RUN = "plan, send and archive (livepost run)"
    EXPORT = "archive and export the coverage"


_EVERYTHING = frozenset(Action)

#: the one table of roles × actions (a reporter's POST and CHANGE_OWN are further limited to
#: talks of their rooms and to their own posts: :func:`ensure_may_post`, :func:`ensure_may_change`)
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.REPORTER: frozenset({Action.READ, Action.POST, Action.CHANGE_OWN}),
    Role.OFFICER: _EVERYTHING,
}

#: what a reporter's rights are limited to, for the README's table
SCOPES: dict[Action, str] = {
    Action.POST: "into talks of their rooms",
    Action.CHANGE_OWN: "their own, by member id",
}


def allowed(actor: Actor, action: Action) -> bool:
    """Whether the actor's role allows the action at all (scopes aside)."""
    return action in ROLE_ACTIONS[actor.role]


def ensure(actor: Actor, action: Action) -> None:
    """Raise :class:`NotAllowed` unless the actor's role allows ``action``."""
    if not allowed(actor, action):
        raise NotAllowed(
            f"{actor.name} is a {actor.role}: a {actor.role} may not {action.value}",
            hint="Ask an officer of the event.",
        )


def ensure_may_post(actor: Actor, talk: Talk | None) -> None:
    """A post may be queued: a reporter only into a talk of their rooms."""
    ensure(actor, Action.POST)
    if actor.role != Role.REPORTER:
        return
    if talk is None:
        raise NotAllowed(
            f"{actor.name} is a reporter: a reporter posts into a talk of their rooms",
            hint="Choose the talk.",
        )
    if talk.room not in actor.rooms:
        rooms = ", ".join(actor.rooms) or "none"
        raise NotAllowed(
            f"{talk.id} is in {talk.room or 'no room'}, not in {actor.name}'s rooms ({rooms})"
        )


def ensure_may_change(actor: Actor, post_id: int, author_identity: str | None) -> None:
    """A post may be edited or cancelled: an officer any, a reporter their own (by identity)."""
    if allowed(actor, Action.CHANGE_ANY):
        return
    ensure(actor, Action.CHANGE_OWN)
    if actor.kind != ActorKind.MEMBER or author_identity != actor.identity:
        raise NotAllowed(f"post {post_id} is not {actor.name}'s to change")


def sees_talk(actor: Actor, room: str | None) -> bool:
    """Whether a talk is one of this person's (a reporter's rooms; everyone else: all)."""
    return actor.role != Role.REPORTER or room in actor.rooms


def sees_only_own_posts(actor: Actor) -> bool:
    """A reporter's queue shows their own posts only (the console's and the API's)."""
    return actor.role == Role.REPORTER
