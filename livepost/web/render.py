"""HTML templates of the console (``templates/web/``, autoescaped) and their filters.

The templates live beside the post and card templates at the top of the repository (inside the
wheel under ``livepost/_data/templates``), so one loader rule finds them everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from livepost.app.today import ItemKind, TalkStatus
from livepost.app.wall import WallVerb
from livepost.export.bidi import balance_bidi, bdi
from livepost.model.posts import PostState
from livepost.resources import builtin_dir

#: what a state is called on the page (its CSS class is the state's value); the label is shown,
#: so the colour is never the only signal
STATE_LABELS: dict[PostState, str] = {state: str(state) for state in PostState} | {
    PostState.SENDING: "sending…"
}

#: the console's navigation: (key, address, label)
NAV = (
    ("today", "/", "Today"),
    ("compose", "/compose", "Compose"),
    ("queue", "/queue", "Queue"),
    ("engagement", "/engagement", "Engagement"),
    ("wall", "/wall/manage", "Wall"),
    ("checks", "/checks", "Checks"),
)


def web_templates_dir() -> str:
    return str(builtin_dir("templates") / "web")


def _facet_shape(facet: Mapping[str, Any] | Any) -> dict[str, Any] | None:
    """``compose --json`` shape from either that shape, a ``Facet`` or a record's facet."""
    if hasattr(facet, "to_json"):
        return dict(facet.to_json())
    if not isinstance(facet, Mapping):
        return None
    if "index" in facet:  # as a post record has it (the archive stores those)
        index = facet.get("index") or {}
        features = facet.get("features") or [{}]
        kind = str(features[0].get("$type", "")).rsplit("#", 1)[-1] or "tag"
        value = features[0].get("tag") or features[0].get("uri") or features[0].get("did") or ""
        try:
            return {
                "byteStart": int(index["byteStart"]),
                "byteEnd": int(index["byteEnd"]),
                "type": kind,
                "value": value,
            }
        except (KeyError, TypeError, ValueError):
            return None
    if "byteStart" in facet and "byteEnd" in facet:
        return dict(facet)
    return None


def highlight(text: str, facets: Sequence[Mapping[str, Any] | Any]) -> Markup:
    """The post's text, escaped, with each facet wrapped in ``<mark class="facet-TYPE">``.

    Facet offsets count UTF-8 bytes (as Bluesky does); overlapping, malformed or out-of-range
    facets are shown as plain text rather than guessed at.
    """
    data = text.encode("utf-8")
    out: list[str] = []
    position = 0
    shapes = [s for s in (_facet_shape(f) for f in facets) if s is not None]
    for facet in sorted(shapes, key=lambda f: int(f["byteStart"])):
        start, end = int(facet["byteStart"]), int(facet["byteEnd"])
        if start < position or end > len(data) or end <= start:
            continue
        out.append(str(escape(data[position:start].decode("utf-8", "replace"))))
        kind = str(facet.get("type", "tag"))
        value = str(facet.get("value", ""))
        shown = escape(data[start:end].decode("utf-8", "replace"))
        out.append(
            f'<mark class="facet facet-{escape(kind)}" title="{escape(kind)}: {escape(value)}">'
            f"{shown}</mark>"
        )
        position = end
    out.append(str(escape(data[position:].decode("utf-8", "replace"))))
    # Isolated: an override left open in the text must not reverse what follows the post.
    return Markup("<bdi>" + "".join(out) + "</bdi>")


def _hm(value: datetime | None) -> str:
    return value.strftime("%H:%M") if value else ""


def _day(value: datetime) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _input_datetime(value: datetime | None) -> str:
    """The ``value`` of an ``<input type="datetime-local">``."""
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""


@lru_cache(maxsize=4)
def environment(folder: str | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder or web_templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["hm"] = _hm
    env.filters["longday"] = _day
    env.filters["input_datetime"] = _input_datetime
    env.filters["highlight"] = highlight
    env.filters["bdi"] = bdi
    env.filters["unbidi"] = balance_bidi
    env.globals["STATE_LABELS"] = STATE_LABELS
    # the types templates compare against (never a raw string)
    env.globals.update(PostState=PostState, WallVerb=WallVerb, ItemKind=ItemKind)
    env.globals["TalkStatus"] = TalkStatus
    return env


def render_page(name: str, **context: Any) -> str:
    """Render ``templates/web/<name>`` with ``context`` (missing variables are errors)."""
    context.setdefault("csrf", "")
    context.setdefault("event_name", "livepost")
    context.setdefault("active", "")
    context.setdefault("paused", False)
    return environment().get_template(name).render(**context)
