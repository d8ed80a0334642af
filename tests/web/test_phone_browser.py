"""The reporter's phone page in a real browser at 360 px (Debian's Chromium, Playwright): a
snippet sent from the page lands in its talk's thread on the real local Bluesky network; a
snippet sent while offline, or whose answer was lost, is sent again with its key and is one post.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from livepost.app.team import Team
from livepost.config import Settings
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.model.actors import Actor
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow
from tests.web.test_web_browser import (  # noqa: F401  (the fixture makes Chromium Debian's)
    CHROMIUM,
    PHONE,
    _no_sideways_scroll,
    _shoot,
    _watch_console,
    browser_type_launch_args,
    serving,
)
from tests.web_helpers import NOW, imported_demo

pytest.importorskip("playwright")
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is needed")

INTILE = "intile-new-technologies-law-enforcement"


def _reporter(settings: Settings) -> str:
    engine = open_database(settings.database_url)
    try:
        return Team(settings, engine, Actor.owner()).add("Ann", "reporter", ["Lecture Theatre 1"])[
            1
        ]
    finally:
        engine.dispose()


def _manual(settings: Settings) -> list[OutboxRow]:
    engine = open_database(settings.database_url)
    try:
        with session_scope(engine) as session:
            query = select(OutboxRow).where(OutboxRow.origin == "manual").order_by(OutboxRow.id)
            return list(session.scalars(query))
    finally:
        engine.dispose()


@pytest.fixture
def quiet_demo(demo_event: Path) -> Iterator[Path]:
    """The demo event without its notes (only the posts this test makes, and the plan's)."""
    for notes in (demo_event / "notes").glob("*.md"):
        notes.unlink()
    yield demo_event


def test_the_phone_page_keeps_snippets_until_the_server_has_them(
    page: Page, quiet_demo: Path
) -> None:
    settings = imported_demo(quiet_demo)
    token = _reporter(settings)
    page.set_viewport_size(PHONE)
    errors = _watch_console(page)
    with serving(settings, lambda: NOW) as base:
        page.goto(f"{base}/?token={token}")
        assert page.url == f"{base}/r"
        expect(page.locator("#now .talk")).to_contain_text("the INTiLE framework")
        expect(page.locator("#next")).to_contain_text("Harm-focused policing")
        expect(page.get_by_label("Talk")).to_have_value(INTILE)
        text = page.get_by_label("Snippet", exact=True)
        text.fill("Facial recognition needs a legal basis people can read. 👩🏽‍⚖️")
        expect(page.locator("#counter")).to_contain_text("57 characters")
        expect(page.locator("#parts li")).to_have_count(1)
        _no_sideways_scroll(page)
        _shoot(page, "phone-compose")

        # offline: kept on the phone, sent when the connection returns
        page.context.set_offline(True)
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#pending")).to_have_text("1 snippet(s) waiting to be sent")
        expect(page.locator("#net")).to_be_visible()
        assert _manual(settings) == []
        page.context.set_offline(False)
        expect(page.locator("#pending")).to_have_text("")
        expect(page.locator("#mine li")).to_have_count(1)

        # the answer is lost after the server queued it: sent again, with its key, still one
        lost: list[str] = []

        def drop_first_answer(route: Route) -> None:
            if not lost:
                lost.append(route.fetch().text())  # the server has it ...
                route.abort("connectionreset")  # ... the phone never hears back
            else:
                route.continue_()

        page.route("**/api/v1/snippets", drop_first_answer)
        text.fill("Second point: an ethics board before any pilot.")
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#mine li")).to_have_count(2, timeout=20_000)
        expect(page.locator("#pending")).to_have_text("")

        # a photo without its description is refused on the phone
        page.get_by_label("Photo of the slide").set_input_files(
            {"name": "slide.png", "mimeType": "image/png", "buffer": _png()}
        )
        text.fill("The framework slide")
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#error")).to_contain_text("Describe the photo")
        page.get_by_label("What the photo shows (alt text, required)").fill(
            "Diagram of the INTiLE framework: law, ethics, technology"
        )
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#mine li")).to_have_count(3, timeout=20_000)
        _shoot(page, "phone-sent")

        # the server's refusal ({"error": {"code", "message"}}) is shown as it says it
        page.get_by_label("Photo of the slide").set_input_files(
            {"name": "broken.png", "mimeType": "image/png", "buffer": b"not an image at all"}
        )
        page.get_by_label("What the photo shows (alt text, required)").fill("A slide")
        text.fill("A broken photo")
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#error")).to_contain_text("broken.png")
        expect(page.locator("#error")).to_contain_text("A broken photo")
        expect(page.locator("#mine li")).to_have_count(3)
    rows = _manual(settings)
    assert [(r.author, r.talk_id, r.text.split("\n")[0]) for r in rows] == [
        ("Ann", INTILE, "Facial recognition needs a legal basis people can read. 👩🏽‍⚖️"),
        ("Ann", INTILE, "Second point: an ethics board before any pilot."),
        ("Ann", INTILE, "The framework slide"),
    ]
    assert '"id"' in lost[0]  # the lost answer had queued the post the resend found again
    assert rows[2].embed is not None
    assert rows[2].embed["images"][0]["alt"].startswith("Diagram of the INTiLE framework")
    # only the failed requests of the offline moment, of the lost answer and the one refusal:
    # no CSP or script error
    expected = ("net::ERR_", "status of 422 (Unprocessable Entity)")
    assert all(any(e_ in e for e_ in expected) for e in errors), errors


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 180), (20, 80, 160)).save(out, "PNG")
    return out.getvalue()


def test_a_snippet_from_the_phone_lands_in_the_talks_thread_on_bluesky(
    page: Page, quiet_demo: Path, bluesky_network: LocalNetwork
) -> None:
    from atproto import Client

    from livepost.publish.delivery import deliver_due
    from livepost.run.assemble import make_media, make_publisher

    alice = bluesky_network.account("alice")
    settings = imported_demo(
        quiet_demo,
        {
            "LIVEPOST_SERVICE": bluesky_network.pds_url,
            "LIVEPOST_HANDLE": alice.handle,
            "LIVEPOST_APP_PASSWORD": alice.app_password,
        },
    )
    token = _reporter(settings)
    page.set_viewport_size(PHONE)
    with serving(settings, lambda: NOW) as base:
        page.goto(f"{base}/?token={token}")
        page.get_by_label("Snippet", exact=True).fill(
            "Live from Lecture Theatre 1: trust needs transparency."
        )
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#mine li")).to_have_count(1)
    (row,) = _manual(settings)
    engine = open_database(settings.database_url)
    publisher = make_publisher(settings)
    try:
        for _ in range(3):  # the announcement first, then the reply under it
            deliver_due(
                engine,
                settings.event_key,
                publisher,
                now=NOW + timedelta(seconds=5),
                media=make_media(settings, engine),
            )
        with session_scope(engine) as session:
            sent = session.get(OutboxRow, row.id)
            assert sent is not None and sent.state == "posted" and sent.parent_id is not None
            parent = session.get(OutboxRow, sent.parent_id)
            assert parent is not None and parent.key == f"announce/{INTILE}"
            rkey, parent_uri = sent.rkey, parent.uri
    finally:
        publisher.close()  # type: ignore[attr-defined]
        engine.dispose()
    reader = Client(bluesky_network.pds_url)
    reader.login(alice.handle, alice.password)
    record = reader.com.atproto.repo.get_record(
        {"repo": alice.did, "collection": "app.bsky.feed.post", "rkey": rkey}
    ).value
    assert record.text.startswith("Live from Lecture Theatre 1: trust needs transparency.")
    assert record.reply.parent.uri == parent_uri and record.reply.root.uri == parent_uri
