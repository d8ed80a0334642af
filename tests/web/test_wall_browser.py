"""The wall on a 1920x1080 screen in Debian's Chromium (Playwright): hostile and oversized posts
stay in their cards, the page updates itself, and screenshots land in tests/artifacts/web/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect

from livepost.archive.sync import save_archived_posts
from livepost.config import Settings, WallSection
from livepost.model.engagement import Counts, RemotePost
from livepost.store.engine import open_database, session_scope
from livepost.store.talks import ensure_event
from tests.web.test_wall import community, seed
from tests.web.test_web_browser import (  # noqa: F401  (a fixture, used by name)
    ARTIFACTS,
    CHROMIUM,
    browser_type_launch_args,
    serving,
)
from tests.web_helpers import NOW, TOKEN, imported_demo

SCREEN = {"width": 1920, "height": 1080}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is needed")


def settings_for(demo_event: Path) -> Settings:
    settings = imported_demo(demo_event)
    settings.wall = WallSection(refresh_seconds=2)
    seed(settings)
    return settings


def test_the_wall_at_1920x1080_keeps_every_post_in_its_card(page: Page, demo_event: Path) -> None:
    settings = settings_for(demo_event)
    page.set_viewport_size(SCREEN)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text  # cdn.example images
            else None
        ),
    )
    with serving(settings, lambda: NOW) as base:
        page.goto(f"{base}/wall?token={TOKEN}")
        expect(page.locator(".wall-post")).to_have_count(len(community()))
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
        boxes = page.eval_on_selector_all(
            ".wall-post",
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [r.left, r.right, r.height, e.scrollWidth <= e.clientWidth] })",
        )
        for left, right, height, fits in boxes:
            assert left >= 0 and right <= SCREEN["width"] and height <= 500 and fits
        styles = page.eval_on_selector_all(
            ".wall-post .text, .wall-post .name",
            "els => els.map(e => getComputedStyle(e).unicodeBidi)",
        )
        assert set(styles) == {"isolate"}
        # the post after Mallory's right-to-left override still reads left to right
        name = page.locator(".wall-post .name").nth(4).inner_text()
        assert name == "Bob"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "wall-1920x1080.png"))

        engine = open_database(settings.database_url)
        at = NOW + timedelta(minutes=1)
        fresh = RemotePost(
            "at://did:plc:dave/app.bsky.feed.post/3wallfresh000",
            "bafy",
            "did:plc:dave",
            "dave.test",
            "Dave",
            "Fresh off the press #ccprconf26",
            at,
            at,
            Counts(),
        )
        with session_scope(engine) as session:
            event = ensure_event(session, settings.event_key, settings.event.name, "Europe/London")
            save_archived_posts(session, event, [fresh], "hashtag", "ccprconf26", at)
        engine.dispose()
        expect(page.locator(".wall-post").first).to_contain_text(
            "Fresh off the press", timeout=10_000
        )
        page.screenshot(path=str(ARTIFACTS / "wall-1920x1080-updated.png"))
    assert errors == []
