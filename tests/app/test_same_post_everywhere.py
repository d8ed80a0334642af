"""The same text, talk and settings give the same posts from every front end: ``livepost
compose``, ``livepost queue`` and the console's preview and queue (one application layer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from livepost.config import load_settings
from livepost.model.actors import Actor
from livepost.outbox.queries import list_posts
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event
from livepost.web.composer import ComposeForm, preview, queue_form
from livepost.web.console import Console
from tests.clirunner import run_livepost

TALK = "red-flags-police-misconduct"
LONG = (
    "Allegations from 7 forces gathered and analysed. 13.5% of officers accounted for 50% of "
    "allegations; a small number of officers account for a large share of complaints, and "
    "patterns repeat across forces. See https://example.org/reports/police-misconduct-2026 for "
    "the full report. Next steps: early intervention, supervision, and data sharing between "
    "forces so that patterns are seen early. Questions from the floor on vetting and training."
)


def _plan_settings(event: Path, **plan: bool) -> None:
    config = event / "livepost.toml"
    lines = [f"{name} = {'true' if value else 'false'}" for name, value in plan.items()]
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[plan]\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )


def _shape(posts: list[dict[str, Any]]) -> list[tuple[str, list[Any], list[str]]]:
    return [(p["text"], p["facets"], list(p.get("tags") or [])) for p in posts]


@pytest.mark.parametrize(
    "plan",
    [
        {"numbering": False, "tags_in_record": False},
        {"numbering": True, "tags_in_record": False},
        {"numbering": False, "tags_in_record": True},
        {"numbering": True, "tags_in_record": True},
    ],
    ids=["plain", "numbering", "tags-in-record", "both"],
)
@pytest.mark.parametrize("talk", [TALK, None], ids=["in-a-talk", "no-talk"])
def test_compose_queue_and_console_give_the_same_posts(
    demo_event: Path, plan: dict[str, bool], talk: str | None
) -> None:
    _plan_settings(demo_event, **plan)
    assert run_livepost("--event", demo_event, "schedule", "import").code == 0
    talk_args = ["--talk", talk] if talk else []

    composed = run_livepost("--event", demo_event, "compose", LONG, *talk_args, "--json")
    assert composed.code == 0, composed.err
    from_compose = _shape(json.loads(composed.out))
    assert len(from_compose) >= 2  # a thread: numbering and the split are exercised

    queued = run_livepost("--event", demo_event, "queue", LONG, *talk_args, "--at", "+2h")
    assert queued.code == 0, queued.err

    settings = load_settings(demo_event, environ={})
    engine = open_database(settings.database_url)
    console = Console(settings, engine).app(Actor.owner())
    shown = preview(console, ComposeForm(text=LONG, talk_id=talk or ""))
    assert shown.error == ""
    from_console = _shape([p.to_json() for p in shown.posts])
    queue_form(console, ComposeForm(text=LONG, talk_id=talk or "", when="now"))

    with session_scope(engine) as session:
        event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")
        manual = [r for r in list_posts(session, event) if r.origin == "manual"]
        by_request: dict[str, list[dict[str, Any]]] = {}
        for row in manual:
            base = row.key.split("#")[0]
            by_request.setdefault(base, []).append(
                {"text": row.text, "facets": row.facets, "tags": row.tags}
            )
        parents = {r.parent_id for r in manual if "#" not in r.key}
    engine.dispose()
    assert len(by_request) == 2
    for rows in by_request.values():
        assert _shape(rows) == from_compose
    assert from_console == from_compose
    if plan["numbering"]:
        assert from_compose[0][0].split("\n")[-1].startswith("1/") or "1/" in from_compose[0][0]
    if talk:
        assert len(parents) == 1 and None not in parents  # both reply under the announcement
    else:
        assert parents == {None}
