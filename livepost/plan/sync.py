"""The plan written into the outbox: rows added, updated, moved, cancelled, never duplicated.

Planned posts are matched to the outbox rows made from them before, by key (``announce/<talk>``,
``snippet/<talk>/<n>``...) and, for snippets, by what they were made from (``source_hash``), so a
snippet that moved in its file because another was deleted is still recognised. Then:

* a planned post with no row gets one (:func:`livepost.outbox.queries.add_post`);
* a ``queued`` row that the officer has not edited follows the plan (text, time, embed): a talk
  that moved moves its unsent posts, an edited snippet updates its post;
* a row no longer planned (its snippet deleted, its talk withdrawn) is cancelled, with the
  reason in ``last_error``; if the post comes back, the row is queued again;
* every unsent row replies to the post the plan says, so deleting a snippet in the middle of a
  thread re-links the rest instead of orphaning it;
* rows already sent (or being sent) are never touched; a snippet edited after its post went
  out is reported (``stale``), not posted again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from livepost.model import Talk
from livepost.model.posts import PostKind
from livepost.notes import load_notes
from livepost.outbox import queries
from livepost.outbox.queries import UNSENT, Draft, PostState, add_post, cancel
from livepost.plan.planner import PlannedPost, PlanResult, build_plan
from livepost.store.engine import session_scope
from livepost.store.handles import without_unresolved
from livepost.store.models import EventRow, OutboxRow
from livepost.store.talks import ensure_event, load_talks

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.config import Settings

#: how ``last_error`` reads for a row the planner cancelled (the flag is ``planner_cancelled``)
PLANNER_CANCELLED = "planner: "
_CONTENT = ("text", "facets", "langs", "tags", "embed", "kind", "talk_id", "source_hash")


@dataclass
class SyncReport:
    """What :func:`sync_plan` changed, by key; ``cancelled`` pairs a key with the reason."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    cancelled: list[tuple[str, str]] = field(default_factory=list)
    revived: list[str] = field(default_factory=list)
    #: posts already sent whose snippet was edited since: Bluesky posts cannot be changed
    stale: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.moved or self.cancelled or self.revived)


def _suffix(key: str) -> str:
    return key[key.index("#") :] if "#" in key else ""


def _base(key: str) -> str:
    return key.split("#", 1)[0]


class _Matcher:
    """Pairs each planned post with the outbox row made from it before (if any)."""

    def __init__(self, rows: Sequence[OutboxRow]) -> None:
        self.by_key = {r.key: r for r in rows}
        self.taken: set[int] = set()
        self.rows = rows

    def _free(self, row: OutboxRow | None) -> OutboxRow | None:
        return row if row is not None and row.id not in self.taken else None

    def match(self, planned: Sequence[PlannedPost]) -> dict[str, OutboxRow | None]:
        found: dict[str, OutboxRow | None] = {}
        # 1. same key, same source
        for post in planned:
            row = self._free(self.by_key.get(post.key))
            if row is not None and (
                post.source_hash is None or row.source_hash == post.source_hash
            ):
                found[post.key] = self._take(row)
        # 2. a snippet that moved in its file: same source, same part, another key
        by_source: dict[tuple[str | None, str, str], list[OutboxRow]] = {}
        for row in self.rows:
            if row.source_hash and row.id not in self.taken:
                by_source.setdefault((row.talk_id, row.source_hash, _suffix(row.key)), []).append(
                    row
                )
        for post in planned:
            if post.key in found or post.source_hash is None:
                continue
            candidates = by_source.get((post.talk_id, post.source_hash, _suffix(post.key)), [])
            row = next((r for r in candidates if r.id not in self.taken), None)
            if row is not None:
                found[post.key] = self._take(row)
        # 3. an edited snippet: the row under its key follows it (if it is not sent yet)
        for post in planned:
            if post.key in found:
                continue
            row = self._free(self.by_key.get(post.key))
            if row is not None:
                found[post.key] = self._take(row)
        # 4. the rest is new (under another key if a sent post holds this one)
        for post in planned:
            found.setdefault(post.key, None)
        return found

    def _take(self, row: OutboxRow) -> OutboxRow:
        self.taken.add(row.id)
        return row


def _new_key(post: PlannedPost, used: set[str]) -> str:
    if post.key not in used:
        return post.key
    base = f"{_base(post.key)}~{(post.source_hash or 'x')[:8]}"
    key, n = f"{base}{_suffix(post.key)}", 2
    while key in used:
        key, n = f"{base}-{n}{_suffix(post.key)}", n + 1
    return key


def sync_plan(
    session: Session,
    event: EventRow,
    planned: Sequence[PlannedPost],
    talks: Sequence[Talk],
    keep_snippets: Collection[str] = (),
) -> SyncReport:
    """Make the event's planned rows in the outbox follow ``planned`` (see the module doc).
    The snippet rows of the talks in ``keep_snippets`` (their notes file was skipped, not
    emptied) are left as they are, never cancelled."""
    report = SyncReport()
    rows = queries.planned_rows(session, event)
    matched = _Matcher(rows).match(planned)
    used = {r.key for r in rows}
    by_key: dict[str, OutboxRow] = {}
    for post in planned:
        row = matched[post.key]
        if row is None:
            key = _new_key(post, used)
            used.add(key)
            row = add_post(session, event, _draft(post, key))
            report.added.append(row.key)
        else:
            _follow(row, post, report)
        by_key[post.key] = row
    _relink(planned, by_key, {r.key: r for r in rows})
    planned_ids = {r.id for r in by_key.values()}
    kept = {r.id for r in rows if r.kind == PostKind.SNIPPET and r.talk_id in keep_snippets}
    _cancel_unplanned(session, rows, planned_ids | kept, talks, report)
    session.flush()
    return report


def _draft(post: PlannedPost, key: str) -> Draft:
    return Draft(
        key=key,
        kind=post.kind,
        due_at=post.at,
        text=post.text,
        facets=post.facets,
        langs=post.langs,
        tags=post.tags,
        embed=post.embed,
        talk_id=post.talk_id,
        origin="plan",
        source_hash=post.source_hash,
    )


def _follow(row: OutboxRow, post: PlannedPost, report: SyncReport) -> None:
    """Bring a matched row in line with its planned post, where that is allowed."""
    if row.state == PostState.CANCELLED:
        if not row.planner_cancelled:
            return  # cancelled by the officer: it stays cancelled
        row.state, row.last_error, row.planner_cancelled = PostState.QUEUED, None, False
        report.revived.append(row.key)
    if row.state in (PostState.POSTED, PostState.SENDING):
        if post.kind == PostKind.SNIPPET and row.source_hash != post.source_hash:
            report.stale.append(row.key)  # a moved talk's announcement gets a correction
        return
    if row.state != PostState.QUEUED or row.edited:
        return
    changed = False
    for name in _CONTENT:
        value = getattr(post, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if row.due_at != post.at:
        row.due_at = post.at
        report.moved.append(row.key)
    if changed and row.key not in report.revived:
        report.updated.append(row.key)


def _relink(
    planned: Sequence[PlannedPost], by_key: dict[str, OutboxRow], stored: dict[str, OutboxRow]
) -> None:
    """Every unsent planned row replies to the row of its planned parent, under the right root.
    A parent the plan no longer has (the posted announcement of a withdrawn talk, which its
    correction replies to) is found among the stored rows."""
    parents = {p.key: p.parent_key for p in planned}

    def root_of(key: str) -> str:
        seen = {key}
        while parents.get(key):
            key = parents[key] or key
            if key in seen:  # cannot happen with the planner's links; never loop
                break
            seen.add(key)
        return key

    for post in planned:
        row = by_key[post.key]
        if row.state not in UNSENT:
            continue
        if post.parent_key is None:
            parent_id, root_id = None, None
        else:
            parent_id = (by_key.get(post.parent_key) or stored[post.parent_key]).id
            root_key = root_of(post.key)
            root_id = (by_key.get(root_key) or stored[root_key]).id
        if (row.parent_id, row.root_id) != (parent_id, root_id):
            row.parent_id, row.root_id = parent_id, root_id


def _cancel_unplanned(
    session: Session,
    rows: Sequence[OutboxRow],
    planned_ids: set[int],
    talks: Sequence[Talk],
    report: SyncReport,
) -> None:
    withdrawn = {t.id for t in talks if t.withdrawn}
    present = {t.id for t in talks}
    for row in rows:
        if row.id in planned_ids or row.state not in UNSENT:
            continue
        if row.talk_id in withdrawn:
            reason = f"talk {row.talk_id} was withdrawn from the programme"
        elif row.talk_id is not None and row.talk_id not in present:
            reason = f"talk {row.talk_id} is no longer in the programme"
        elif row.kind == PostKind.SNIPPET:
            reason = "its snippet was deleted from the notes"
        else:
            reason = "no longer planned"
        for gone in cancel(session, row):
            gone.last_error = PLANNER_CANCELLED + reason
            gone.planner_cancelled = True
            report.cancelled.append((gone.key, reason))


def replan(
    engine: Engine, settings: Settings, now: datetime | None, event_key: str | None = None
) -> tuple[PlanResult, SyncReport]:
    """Read the programme and the notes, plan (live from ``now``) and sync the outbox.

    A notes file that cannot be read raises :class:`~livepost.errors.NotesError` before anything
    is changed: a half-saved file never cancels the posts made from it. A file over the size
    limit is skipped with a warning; its talk's queued snippets are kept. ``event_key`` names
    another event row to plan into (the dry run's rehearsal copy).
    """

    with session_scope(engine) as session:
        return replan_in(session, settings, now, event_key)


def replan_in(
    session: Session, settings: Settings, now: datetime | None, event_key: str | None = None
) -> tuple[PlanResult, SyncReport]:
    """What :func:`replan` does, in the caller's transaction (``plan --dry-run`` rolls it back)."""
    key = event_key or settings.event_key
    notes = load_notes(settings.notes_dir)
    event = ensure_event(session, key, settings.event.name, settings.event.timezone)
    talks = load_talks(session, key, include_withdrawn=True)
    talks = without_unresolved(session, settings.service, talks)
    result = build_plan(
        settings,
        talks,
        notes,
        now=now,
        known=queries.known_times(session, event),
        told=queries.told_states(session, event),
        skipped=notes.skipped,
    )
    report = sync_plan(session, event, result.posts, talks, keep_snippets=notes.skipped)
    return result, report
