"""The cache of handle checks (``handle_checks``): what ``resolveHandle`` said, and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from livepost.model import Talk
from livepost.store.models import HandleCheckRow


def cached_checks(
    session: Session, service: str, handles: set[str] | None = None
) -> dict[str, tuple[str | None, datetime]]:
    """handle -> (DID or None, when checked) for ``service`` (only ``handles`` when given)."""
    query = select(HandleCheckRow).where(HandleCheckRow.service == service)
    if handles is not None:
        query = query.where(HandleCheckRow.handle.in_(sorted(handles)))
    return {row.handle: (row.did, row.checked_at) for row in session.scalars(query)}


def save_checks(
    session: Session, service: str, found: dict[str, str | None], now: datetime
) -> None:
    """Remember what ``resolveHandle`` answered for each handle."""
    rows = {
        row.handle: row
        for row in session.scalars(
            select(HandleCheckRow).where(
                HandleCheckRow.service == service, HandleCheckRow.handle.in_(sorted(found))
            )
        )
    }
    for handle, did in found.items():
        row = rows.get(handle)
        if row is None:
            session.add(HandleCheckRow(service=service, handle=handle, did=did, checked_at=now))
        else:
            row.did, row.checked_at = did, now


def without_unresolved(session: Session, service: str, talks: Sequence[Talk]) -> list[Talk]:
    """``talks`` with the handles known (cached) not to resolve taken out: those speakers are
    named plainly instead of mentioned. Only the cache is read: no network."""
    handles = {p.handle for t in talks for p in t.speakers if p.handle}
    if not handles:
        return list(talks)
    bad = {h for h, (did, _at) in cached_checks(session, service, handles).items() if not did}
    if not bad:
        return list(talks)
    return [
        replace(
            talk,
            speakers=[replace(p, handle=None) if p.handle in bad else p for p in talk.speakers],
        )
        for talk in talks
    ]
