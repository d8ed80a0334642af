"""Compose in an event: the one glue from settings to :func:`compose`.

Every front end (``livepost compose``, ``livepost queue``, the console's preview and queue, the
phone API) and the planner call this, so the same text, talk and settings give the same posts
everywhere: the event's template folders, hashtags, languages, ``[plan] numbering``,
``[plan] tags_in_record`` and ``[plan] keep_markdown`` (a snippet's Markdown emphasis markers are
removed unless it is set) are applied here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from livepost.compose.compose import ComposedPost, compose
from livepost.compose.context import build_context
from livepost.compose.facets import detect_facets
from livepost.compose.markdown import strip_emphasis
from livepost.model.posts import PostKind

if TYPE_CHECKING:
    from livepost.config import Settings
    from livepost.model import Talk


def default_kind(talk: Talk | None) -> PostKind:
    """A post written into a talk reads as a live note; anything else as free text."""
    return PostKind.SNIPPET if talk is not None else PostKind.FREE


def compose_for_event(
    settings: Settings,
    text: str,
    *,
    talk: Talk | None = None,
    kind: str | None = None,
    langs: Sequence[str] | None = None,
    extra_hashtags: Sequence[str] | None = None,
    counts: Mapping[str, int] | None = None,
) -> list[ComposedPost]:
    """The post or thread ``text`` becomes in this event (and talk).

    ``kind`` picks the template (default: :func:`default_kind`); ``extra_hashtags`` default to the
    talk's own hashtags (the planner passes none for the replies in a talk's thread); ``counts``
    are the day's figures for the day posts' templates.
    """
    event = settings.event
    kind = kind or default_kind(talk)
    if kind == PostKind.SNIPPET and not settings.plan.keep_markdown:
        text = strip_emphasis(text)
    if extra_hashtags is None:
        extra_hashtags = talk.hashtags if talk else []
    context = build_context(
        event_name=event.name,
        event_hashtags=event.hashtags,
        timezone=event.timezone,
        talk=talk,
        snippet=text if kind == PostKind.SNIPPET else None,
        counts=counts,
    )
    mentionable: set[str] | None = None
    if talk is not None:  # programme text is text: it notifies nobody
        mentionable = mentionable_handles(talk, text)
    return compose(
        text,
        kind=kind,
        context=context,
        event_hashtags=event.hashtags,
        extra_hashtags=extra_hashtags,
        langs=list(langs) if langs else event.langs,
        template_dirs=settings.template_dirs,
        numbering=settings.plan.numbering,
        tags_in_record=settings.plan.tags_in_record,
        mentionable=mentionable,
    )


def mentionable_handles(talk: Talk, text: str) -> set[str]:
    """Who a post about ``talk`` may mention: the speakers' handles (from the people file or the
    programme's own handle field) and whoever our own ``text`` (a snippet, a post written by the
    team) mentions. A speaker's name, a title or an abstract that reads ``@someone.bsky.social``
    stays plain text: programme data cannot make the event account notify anyone."""
    handles = {p.handle.lstrip("@") for p in talk.speakers if p.handle}
    handles.update(f.value for f in detect_facets(text) if f.type == "mention")
    return handles
