"""Threadgates and postgates not written yet: write them now (``livepost replies hide`` right
after recording a hidden reply), or list them (``livepost replies pending``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure

if TYPE_CHECKING:
    from livepost.publish.base import Publisher
    from livepost.publish.gates import GateReport


def write_gates_now(scope: EventScope, publisher: Callable[[], Publisher]) -> GateReport | None:
    """Write every pending gate with the publisher ``publisher()`` opens; None when a running
    ``livepost run`` holds the account (it writes them within seconds)."""
    ensure(scope.actor, Action.HIDE_REPLY)
    from livepost.publish.gates import write_pending_gates
    from livepost.publish.lock import WriterBusy

    try:
        opened = publisher()
    except WriterBusy:
        return None
    try:
        return write_pending_gates(
            scope.engine, scope.settings.event_key, opened, scope.settings.publish
        )
    finally:
        opened.close()


def pending_gates(scope: EventScope) -> list[tuple[str, str, str | None]]:
    """(what, post URI, last error) of every gate not written yet."""
    ensure(scope.actor, Action.READ)
    from livepost.publish.gates import pending_gates as pending

    return pending(scope.engine, scope.settings.event_key)
