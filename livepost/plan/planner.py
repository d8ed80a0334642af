"""What goes out when: the event's talks and note snippets turned into planned posts.

A pure function of (settings, talks, snippets, now): no database, no network, so the timeline can
be tested exactly and shown before anything is queued. :mod:`livepost.plan.sync` writes the result
into the outbox.

Per talk (``kind="talk"``, not withdrawn; breaks only with ``[plan] announce_breaks``):

* ``announce/<talk>``: the announcement ``lead_minutes`` before the start, with the talk's card
  (rendered by the publisher at send time from ``{"card": {"kind": "talk", "talk_id": ...,
  "alt": ...}}``, the alt text written by :func:`livepost.cards.card_alt`);
* ``snippet/<talk>/<n>`` (``n`` counts from 1 in file order; the parts of a snippet too long for
  one post are ``.../<n>#2``, ``#3``): threaded under the announcement, each replying to the one
  before. A pinned ``[HH:MM]`` snippet goes out at that time; the others are paced evenly
  between their neighbours (the talk's start and end, or pinned snippets). In live mode (``now``
  given and the talk already started) a snippet not seen before goes out *now*: it was just
  written. The thread is chained in time order, so a live snippet replies to what has gone out
  and the snippets paced to later follow it. A snippet with an image without alt text is not
  planned (the problem names the image) until the image is described. A snippet with no blank
  line after it yet (the writer may still be typing) waits for the end of the talk unless the
  writer moves on first;
* ``wrapup/<talk>``: a thank-you at the end, closing the thread;

and per day ``day-open/<date>`` (``opening_minutes`` before the first item) and
``day-close/<date>`` (``closing_minutes`` after the last one).

Corrections: an announcement carries the talk's time and room as its ``source_hash``
(:func:`talk_state`). When what the public was last told about a talk (``told``: the state of its
last *posted* announcement or correction) differs from the programme now (the talk moved, or was
withdrawn), ``correction/<talk>/<state>`` replies under the announcement, due now: posted once
per change. Unsent posts simply move or are cancelled.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from livepost.cards.alt import has_visible_text
from livepost.compose.compose import ComposedPost
from livepost.compose.for_event import compose_for_event
from livepost.errors import InputError, LivepostError
from livepost.files import event_file
from livepost.model import Talk
from livepost.model.posts import PLANNED_KINDS, PostKind
from livepost.notes import Snippet

if TYPE_CHECKING:
    from livepost.config import Settings

#: The post kinds the planner makes (they are also the names of the post templates).
KINDS = PLANNED_KINDS
#: the state of a withdrawn talk, for :func:`talk_state`
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class PlannedPost:
    """One post the plan wants sent. ``at`` is aware UTC; ``parent_key`` is the key of the post
    it replies to (None for a new thread); ``source_hash`` changes whenever what the post is
    made from changes (a snippet's text, pin, images, completeness)."""

    key: str
    kind: PostKind
    talk_id: str | None
    at: datetime
    text: str
    facets: list[dict[str, Any]] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    embed: dict[str, Any] | None = None
    parent_key: str | None = None
    source_hash: str | None = None
    composed: ComposedPost | None = field(default=None, compare=False, repr=False)
    #: a snippet still being typed (no blank line after it): held until the talk ends
    held: bool = False


@dataclass
class PlanResult:
    """The planned posts in time order, and what could not be planned (a message each)."""

    posts: list[PlannedPost]
    problems: list[str] = field(default_factory=list)


def plan(
    settings: Settings,
    talks: Sequence[Talk],
    snippets: Mapping[str, Sequence[Snippet]],
    *,
    now: datetime | None = None,
    known: Mapping[str, datetime] | None = None,
) -> list[PlannedPost]:
    """The event's planned posts in time order (see the module docstring for the rules).

    ``now`` turns on live mode; ``known`` maps a snippet's ``source_hash`` to the time it was
    already given (so a live snippet keeps the moment it was first seen).
    """
    return build_plan(settings, talks, snippets, now=now, known=known).posts


def build_plan(
    settings: Settings,
    talks: Sequence[Talk],
    snippets: Mapping[str, Sequence[Snippet]],
    *,
    now: datetime | None = None,
    known: Mapping[str, datetime] | None = None,
    told: Mapping[str, str] | None = None,
    skipped: Mapping[str, str] | None = None,
) -> PlanResult:
    """:func:`plan`, plus the snippets and talks that could not be planned, and why.

    ``told`` maps a talk id to the :func:`talk_state` of its last posted announcement or
    correction; a talk that differs now gets a correction (see the module docstring).
    ``skipped`` maps the talk id of a notes file that was not read (over the size limit) to
    why: a warning each, and that talk plans without snippets (its queued ones are kept)."""
    planner = _Planner(settings, talks, now, known or {})
    for talk in planner.talks:
        planner.talk(talk, snippets.get(talk.id, ()))
    for talk in talks:
        if talk.id in (told or {}):
            planner.correction(talk, (told or {})[talk.id])
    covered = {t.id for t in planner.talks}
    for talk_id, why in sorted((skipped or {}).items()):
        planner.problems.append(f"notes/{talk_id}.md: {why}")
    for talk_id in sorted(snippets):
        if talk_id not in covered and snippets[talk_id]:
            planner.problems.append(
                f"notes/{talk_id}.md: not planned (no talk with posts has this id)"
            )
    if settings.plan.day_posts:
        planner.days()
    planner.problems.extend(_card_problems(settings, planner.talks))
    posts = sorted(planner.posts, key=lambda p: (p.at, _KIND_ORDER[p.kind], planner.order[p.key]))
    return PlanResult(posts, planner.problems)


def _card_problems(settings: Settings, talks: Sequence[Talk]) -> list[str]:
    """Talk cards that would leave text out for want of a font (the card still goes out)."""
    from livepost.cards.for_event import card_font_problems

    return card_font_problems(settings, talks)


_KIND_ORDER = {kind: order for order, kind in enumerate(PLANNED_KINDS)}


def talk_state(talk: Talk) -> str:
    """What an announcement told about a talk, as a short hash: its start and room, or that it
    was withdrawn. A correction is due when this differs from what was posted."""
    if talk.withdrawn:
        return WITHDRAWN
    told = f"{talk.start.astimezone(UTC).isoformat()}\x1f{talk.room or ''}"
    return hashlib.sha256(told.encode("utf-8")).hexdigest()[:12]


def snippet_hash(snippet: Snippet) -> str:
    """What a snippet's posts are made from; an edit (or finishing it) changes the hash."""
    parts = [
        snippet.text,
        snippet.pinned_at.isoformat() if snippet.pinned_at else "",
        ",".join(snippet.langs or []),
        *(f"{i.path}\x1f{i.alt}" for i in snippet.images),
        "complete" if snippet.complete else "typing",
    ]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


class _Planner:
    """Accumulates planned posts; one instance per :func:`build_plan` call."""

    def __init__(
        self,
        settings: Settings,
        talks: Sequence[Talk],
        now: datetime | None,
        known: Mapping[str, datetime],
    ) -> None:
        self.settings = settings
        self.options = settings.plan
        self.zone = settings.zone
        self.now = now
        self.known = known
        self.all_talks = [t for t in talks if not t.withdrawn]
        self.talks = sorted(
            (t for t in self.all_talks if t.kind == "talk" or self.options.announce_breaks),
            key=lambda t: (t.start, t.id),
        )
        self.posts: list[PlannedPost] = []
        self.order: dict[str, int] = {}
        self.problems: list[str] = []

    # --- composition --------------------------------------------------------------------------

    def _compose(
        self,
        kind: PostKind,
        text: str,
        talk: Talk | None,
        *,
        extra: Sequence[str] = (),
        langs: Sequence[str] | None = None,
    ) -> list[ComposedPost]:
        return compose_for_event(
            self.settings, text, talk=talk, kind=kind, langs=langs, extra_hashtags=extra
        )

    def _add(
        self,
        key: str,
        kind: PostKind,
        talk_id: str | None,
        at: datetime,
        parts: Sequence[ComposedPost],
        *,
        parent_key: str | None = None,
        embed: dict[str, Any] | None = None,
        source_hash: str | None = None,
        held: bool = False,
    ) -> str:
        """Add a post (and the further parts of its thread); returns the key of the last part."""
        previous = parent_key
        for number, part in enumerate(parts, start=1):
            part_key = key if number == 1 else f"{key}#{number}"
            self.order[part_key] = len(self.order)
            self.posts.append(
                PlannedPost(
                    key=part_key,
                    kind=kind,
                    talk_id=talk_id,
                    at=at.astimezone(UTC),
                    text=part.text,
                    facets=[f.to_json() for f in part.facets],
                    langs=list(part.langs),
                    tags=list(part.tags),
                    embed=embed if number == 1 else None,
                    parent_key=previous,
                    source_hash=source_hash,
                    composed=part,
                    held=held,
                )
            )
            previous = part_key
        return previous or key

    # --- talks --------------------------------------------------------------------------------

    def talk(self, talk: Talk, snippets: Sequence[Snippet]) -> None:
        lead = self.options.lead_minutes if talk.lead_minutes is None else talk.lead_minutes
        announce_at = talk.start - timedelta(minutes=lead)
        key = f"announce/{talk.id}"
        embed = None
        if talk.kind == "talk":
            from livepost.cards import CardEvent, card_alt

            card_event = CardEvent(
                name=self.settings.event.name,
                hashtag=self.settings.event.hashtags[0] if self.settings.event.hashtags else None,
                timezone=self.settings.event.timezone,
            )
            alt = card_alt("talk", event=card_event, talk=talk)
            embed = {"card": {"kind": "talk", "talk_id": talk.id, "alt": alt}}
        try:
            parts = self._compose(PostKind.ANNOUNCEMENT, "", talk, extra=talk.hashtags)
        except LivepostError as exc:
            self.problems.append(f"{key}: {exc.message}")
            return
        tail = self._add(
            key,
            PostKind.ANNOUNCEMENT,
            talk.id,
            announce_at,
            parts,
            embed=embed,
            source_hash=talk_state(talk),
        )
        times = self._snippet_times(talk, snippets, announce_at)
        # the thread in order of posting: a snippet written live (due now) replies to what has
        # gone out, never to a snippet written before the talk and paced to later in it
        chained = sorted(zip(snippets, times, strict=True), key=lambda p: (p[1], p[0].index))
        for snippet, at in chained:
            tail = self._snippet(talk, snippet, at, tail)
        if self.options.wrapup and talk.kind == "talk":
            key = f"wrapup/{talk.id}"
            try:
                parts = self._compose(PostKind.WRAPUP, "", talk)
            except LivepostError as exc:
                self.problems.append(f"{key}: {exc.message}")
                return
            self._add(
                key, PostKind.WRAPUP, talk.id, max(talk.end, announce_at), parts, parent_key=tail
            )

    def _snippet(self, talk: Talk, snippet: Snippet, at: datetime, tail: str) -> str:
        key = f"snippet/{talk.id}/{snippet.index + 1}"
        try:
            parts = self._compose(PostKind.SNIPPET, snippet.text, talk, langs=snippet.langs)
        except LivepostError as exc:
            self.problems.append(f"notes/{talk.id}.md, line {snippet.line}: {exc.message}")
            return tail
        images = []
        for image in snippet.images:
            if not has_visible_text(image.alt):  # never posted without alt: the snippet waits
                self.problems.append(
                    f"notes/{talk.id}.md, line {image.line}: image {image.written!r} has no "
                    "alt text; the snippet waits until it is described: ![what it shows](path)"
                )
                return tail
            try:
                event_file(image.path, self.settings.event_dir)
            except InputError as exc:  # never read, never attached: the text goes out alone
                self.problems.append(
                    f"notes/{talk.id}.md, line {image.line}: image {image.written!r} "
                    f"{exc.detail}; not attached"
                )
                continue
            images.append({"path": str(image.path), "alt": image.alt})
        embed = {"images": images} if images else None
        source_hash = snippet_hash(snippet)
        if len(images) < len(snippet.images):  # re-planned with the image once it is moved in
            source_hash = hashlib.sha256(f"{source_hash}\x1eleft out".encode()).hexdigest()
        return self._add(
            key,
            PostKind.SNIPPET,
            talk.id,
            at,
            parts,
            parent_key=tail,
            embed=embed,
            source_hash=source_hash,
            held=not snippet.complete,
        )

    def _pinned(self, talk: Talk, snippet: Snippet) -> datetime | None:
        if snippet.pinned_at is None:
            return None
        local_day = talk.start.astimezone(self.zone).date()
        return datetime.combine(local_day, snippet.pinned_at, tzinfo=self.zone).astimezone(UTC)

    def _snippet_times(
        self, talk: Talk, snippets: Sequence[Snippet], announce_at: datetime
    ) -> list[datetime]:
        """Pinned times as written, the others paced evenly between their neighbours; live
        snippets when first seen; half-typed ones not before the end of the talk."""
        pinned = [self._pinned(talk, s) for s in snippets]
        times: list[datetime] = []
        index = 0
        while index < len(snippets):
            at = pinned[index]
            if at is not None:
                times.append(at)
                index += 1
                continue
            run_end = index
            while run_end < len(snippets) and pinned[run_end] is None:
                run_end += 1
            low = times[-1] if times else talk.start
            high = pinned[run_end] if run_end < len(snippets) else talk.end
            high = max(high or talk.end, low)
            count = run_end - index
            for step in range(count):
                times.append(low + (high - low) * (step + 1) / (count + 1))
            index = run_end
        result: list[datetime] = []
        # live: the talk runs (or ended less than a grace period ago) while livepost plans it
        grace = timedelta(minutes=self.options.grace_minutes)
        live = self.now is not None and talk.start <= self.now < talk.end + grace
        for snippet, at, pin in zip(snippets, times, pinned, strict=True):
            if live and self.now is not None:
                known = self.known.get(snippet_hash(snippet))
                if known is not None:
                    at = known  # the time it was given when first seen: it does not move
                else:
                    at = max(self.now, pin) if pin is not None else self.now
            if not snippet.complete:
                at = max(at, talk.end)
            result.append(max(at, announce_at).replace(microsecond=0))
        return result

    def correction(self, talk: Talk, told: str) -> None:
        """A reply under the talk's posted announcement when it moved or was withdrawn since."""
        state = talk_state(talk)
        if state == told:
            return
        key = f"correction/{talk.id}/{state}"
        try:
            parts = self._compose(PostKind.CORRECTION, "", talk, extra=())
        except LivepostError as exc:
            self.problems.append(f"{key}: {exc.message}")
            return
        lead = self.options.lead_minutes if talk.lead_minutes is None else talk.lead_minutes
        at = self.now if self.now is not None else talk.start - timedelta(minutes=lead)
        self._add(
            key,
            PostKind.CORRECTION,
            talk.id,
            at.replace(microsecond=0),
            parts,
            parent_key=f"announce/{talk.id}",
            source_hash=state,
        )

    # --- days ---------------------------------------------------------------------------------

    def days(self) -> None:
        by_day: dict[date, list[Talk]] = {}
        for talk in self.all_talks:
            by_day.setdefault(talk.start.astimezone(self.zone).date(), []).append(talk)
        for day, items in sorted(by_day.items()):
            talks = [t for t in items if t.kind == "talk"]
            if not talks:
                continue
            first = min(t.start for t in items)
            last = max(t.end for t in items)
            context_counts = {"talks": len(talks)}
            for kind, key, at in (
                (
                    PostKind.DAY_OPENING,
                    f"day-open/{day.isoformat()}",
                    first - timedelta(minutes=self.options.opening_minutes),
                ),
                (
                    PostKind.DAY_CLOSING,
                    f"day-close/{day.isoformat()}",
                    last + timedelta(minutes=self.options.closing_minutes),
                ),
            ):
                try:
                    parts = self._compose_day(kind, context_counts)
                except LivepostError as exc:
                    self.problems.append(f"{key}: {exc.message}")
                    continue
                self._add(key, kind, None, at, parts)

    def _compose_day(self, kind: PostKind, counts: Mapping[str, int]) -> list[ComposedPost]:
        return compose_for_event(self.settings, "", kind=kind, extra_hashtags=(), counts=counts)
