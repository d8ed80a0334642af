"""From a draft to the posts Bluesky will accept: template, text rules, hashtags, thread, facets.

Facets are computed last, on each part's final text (after the template, the hashtags and the
thread numbering), then links are shortened for display the way the official app does it; the
counts are taken on that shortened text, which is exactly what is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livepost.compose.facets import Facet, detect_facets
from livepost.compose.hashtags import MAX_RECORD_TAGS, append_tags, clean_tag, missing_tags
from livepost.compose.shorten import shorten_links
from livepost.compose.split import split_text
from livepost.compose.templates import render
from livepost.compose.text import (
    MAX_BYTES,
    MAX_GRAPHEMES,
    byte_count,
    check_text_length,
    grapheme_count,
    normalize,
)
from livepost.errors import LivepostError

MAX_LANGS = 3
NUMBERING_TEMPLATE = "posts/numbering.txt.j2"


@dataclass(frozen=True)
class ComposedPost:
    """One post as it will be sent: final text, its counts, facets and record-level tags."""

    text: str
    graphemes: int
    bytes: int
    langs: list[str]
    facets: list[Facet]
    tags: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``compose --json`` shape (design.md); ``tags`` only when the record has some."""
        out: dict[str, Any] = {
            "text": self.text,
            "graphemes": self.graphemes,
            "bytes": self.bytes,
            "langs": list(self.langs),
            "facets": [f.to_json() for f in self.facets],
        }
        if self.tags:
            out["tags"] = list(self.tags)
        return out


def finish(
    text: str,
    langs: Sequence[str],
    tags: Sequence[str] = (),
    mentionable: Collection[str] | None = None,
) -> ComposedPost:
    """Facets on the final text, links shortened, counts taken on what is sent.

    With ``mentionable``, a mention facet is kept only for a handle in it (compared without
    case): the ``@name`` of anyone else stays in the text as plain text and notifies nobody."""
    found = detect_facets(text)
    if mentionable is not None:
        allowed = {h.casefold() for h in mentionable}
        found = [f for f in found if f.type != "mention" or f.value.casefold() in allowed]
    shown, facets = shorten_links(text, found)
    return ComposedPost(
        text=shown,
        graphemes=grapheme_count(shown),
        bytes=byte_count(shown),
        langs=list(langs),
        facets=facets,
        tags=list(tags),
    )


def _fits(post: ComposedPost) -> bool:
    return post.graphemes <= MAX_GRAPHEMES and post.bytes <= MAX_BYTES


@dataclass
class _Thread:
    """How the parts of one draft are decorated: hashtags and optional numbering."""

    event_tags: list[str]
    extra_tags: list[str]
    langs: list[str]
    numbering: bool
    template_dirs: Sequence[Path]
    mentionable: Collection[str] | None = None

    def tags_for(self, body: str, index: int) -> list[str]:
        wanted = self.event_tags + (self.extra_tags if index == 0 else [])
        return missing_tags(body, wanted)

    def number(self, body: str, index: int, total: int) -> str:
        if not self.numbering or total < 2:
            return body
        context = {"text": body, "index": index + 1, "total": total}
        return normalize(render(NUMBERING_TEMPLATE, context, self.template_dirs))

    def post(self, body: str, index: int, total: int) -> ComposedPost:
        tags = self.tags_for(body, index)
        text = append_tags(self.number(body, index, total), tags)
        return finish(text, self.langs, mentionable=self.mentionable)


def compose(
    text: str,
    *,
    kind: str = "free",
    context: Mapping[str, Any] | None = None,
    event_hashtags: Sequence[str],
    extra_hashtags: Sequence[str] = (),
    langs: Sequence[str],
    template_dirs: Sequence[Path] = (),
    numbering: bool = False,
    tags_in_record: bool = False,
    mentionable: Collection[str] | None = None,
) -> list[ComposedPost]:
    """The post, or the thread, that ``text`` becomes.

    ``kind`` names the template ``posts/<kind>.txt.j2`` (looked up in ``template_dirs`` first,
    then the built-in ones); it sees ``context`` plus ``text`` (and ``snippet``, defaulting to
    ``text``). The event's hashtags go on every part, ``extra_hashtags`` (talk, track) on the
    first, each only if the text does not already have it. When text and tags do not fit in one
    post, the text becomes a thread; with ``tags_in_record`` the hashtags go into the record's
    ``tags`` field instead, when that keeps it to one post and there are at most 8 of them.
    ``numbering`` adds ``1/3``-style numbering (template ``posts/numbering.txt.j2``) to threads.
    ``mentionable`` (None: anyone) names the only handles a mention facet may go to, so that
    text from elsewhere (a programme) rendered by the template cannot notify anybody.
    """
    check_text_length(text)
    if len(langs) > MAX_LANGS:
        raise LivepostError(
            f"A post can have at most {MAX_LANGS} languages, got {len(langs)}: {', '.join(langs)}.",
            hint="Keep the main languages of the event in langs.",
        )
    variables: dict[str, Any] = dict(context or {})
    variables.setdefault("text", text)
    variables.setdefault("snippet", text)
    body = normalize(render(f"posts/{kind}.txt.j2", variables, template_dirs))
    thread = _Thread(
        event_tags=[clean_tag(t) for t in event_hashtags],
        extra_tags=[clean_tag(t) for t in extra_hashtags],
        langs=list(langs),
        numbering=numbering,
        template_dirs=template_dirs,
        mentionable=mentionable,
    )
    if not body and not thread.event_tags and not thread.extra_tags:
        raise LivepostError(
            f"Nothing to post: the {kind} text is empty.", hint="Write some text for the post."
        )
    single = thread.post(body, 0, 1)
    if _fits(single):
        return [single]
    if tags_in_record:
        tags = thread.tags_for(body, 0)
        alone = finish(body, langs, tags, mentionable)
        if body and len(tags) <= MAX_RECORD_TAGS and _fits(alone):
            return [alone]
    return _split(body, thread)


def _measure(thread: _Thread, total: int) -> Callable[[str, int], bool]:
    def fits(part: str, index: int) -> bool:
        return _fits(thread.post(part, index, total))

    return fits


def _split(body: str, thread: _Thread) -> list[ComposedPost]:
    """Split with room for numbering as wide as the thread turns out to be."""
    assumed = 9
    while True:
        parts = split_text(body, _measure(thread, assumed))
        if len(parts) <= assumed:
            posts = [thread.post(part, i, len(parts)) for i, part in enumerate(parts)]
            if all(_fits(p) for p in posts):
                return posts
        if assumed > 10**6:
            raise LivepostError("Cannot split the text into a thread of posts that fit.")
        assumed = assumed * 10 + 9
