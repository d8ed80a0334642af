"""The console in a real browser: Debian's Chromium, headless, driven by Playwright.

Compose a post with a hashtag, a link and an image, queue it, deliver it with the real publisher
to the real local Bluesky network and read it back; edit and cancel queued posts; screenshots of
every view at desktop and phone width (kept in ``tests/artifacts/web/``, which git ignores).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from livepost.config import Settings
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.store.engine import open_database, session_scope
from livepost.store.models import OutboxRow
from livepost.web.app import create_app
from tests.web_helpers import NOW, TOKEN, imported_demo, seed_day

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}

expect.set_options(timeout=15_000)  # the machine is shared: allow for a slow moment

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is needed (apt-get install chromium)"
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (no browser downloads), headless, no sandbox (tests run as root)."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@contextmanager
def serving(settings: Settings, clock: Callable[[], datetime]) -> Iterator[str]:
    """The console on a free 127.0.0.1 port, in a thread; stopped when the block ends.

    The socket is bound here (port 0) and handed to uvicorn, so no other process can take the
    port in between.
    """
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
        app = create_app(settings, token=TOKEN, port=port, clock=clock, online_checks=False)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started, "the console did not start"
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            assert not thread.is_alive()


def _watch_console(page: Page) -> list[str]:
    """Collect browser errors (a CSP violation, a script error) so tests can assert none."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _rows(settings: Settings) -> dict[str, OutboxRow]:
    engine = open_database(settings.database_url)
    try:
        with session_scope(engine) as session:
            return {r.key: r for r in session.scalars(select(OutboxRow).order_by(OutboxRow.id))}
    finally:
        engine.dispose()


def _shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page: Page) -> None:
    viewport = page.viewport_size
    assert viewport is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


# --- screenshots of every view -------------------------------------------------------------------


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_view_renders_cleanly(page: Page, demo_event: Path, size: str) -> None:
    settings = imported_demo(demo_event)
    seed_day(settings)
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    errors = _watch_console(page)
    with serving(settings, lambda: NOW) as base:
        page.goto(f"{base}/?token={TOKEN}")
        expect(page.locator("h1")).to_have_text("Today, Thursday 18 June 2026")
        assert page.url == f"{base}/"  # the token left the address bar
        expect(page.locator(".now-line")).to_have_text("Now · 11:20")
        _no_sideways_scroll(page)
        _shoot(page, f"today-{size}")

        page.get_by_role("navigation", name="Console").get_by_role("link", name="Compose").click()
        expect(page.locator("h1")).to_have_text("Compose")
        page.get_by_label("Talk", exact=True).select_option(
            "intile-new-technologies-law-enforcement"
        )
        page.get_by_role("radio", name="The talk's card").check()
        page.get_by_label("Post text").fill(
            "Facial recognition needs a legal basis people can read: "
            "https://example.com/intile/report #INTiLE"
        )
        expect(page.locator("#counter")).to_have_text("132 / 300 characters · 132 / 3000 bytes")
        expect(page.locator(".card-preview img")).to_be_visible()
        page.wait_for_function("document.querySelector('.card-preview img').naturalWidth === 1200")
        _no_sideways_scroll(page)
        _shoot(page, f"compose-{size}")

        page.get_by_role("navigation", name="Console").get_by_role("link", name="Queue").click()
        expect(page.locator("h1")).to_have_text("Queue")
        expect(page.locator("#failed-title")).to_contain_text("Failed")
        _no_sideways_scroll(page)
        _shoot(page, f"queue-{size}")

        page.locator(".qpost.state-missed").get_by_role("link", name="Edit").click()
        expect(page.locator("h1")).to_contain_text("Edit post")
        _shoot(page, f"edit-{size}")

        page.get_by_role("navigation", name="Console").get_by_role(
            "link", name="Engagement"
        ).click()
        expect(page.locator("h1")).to_have_text("Engagement")
        expect(page.locator(".stats").nth(1)).to_contain_text("83")
        _no_sideways_scroll(page)
        _shoot(page, f"engagement-{size}")

        page.get_by_role("navigation", name="Console").get_by_role("link", name="Checks").click()
        expect(page.locator(".summary-line")).to_have_text("Usable, with warnings.")
        _no_sideways_scroll(page)
        _shoot(page, f"checks-{size}")
    assert errors == []


# --- keyboard, edit, cancel ----------------------------------------------------------------------


def test_edit_and_cancel_queued_posts_with_the_keyboard(page: Page, demo_event: Path) -> None:
    settings = imported_demo(demo_event)
    seed_day(settings)
    before = _rows(settings)
    wrapup = before["wrapup/intile-new-technologies-law-enforcement"]
    child_first = before["announce/child-first-criminal-justice"]
    page.set_viewport_size(PHONE)
    errors = _watch_console(page)
    with serving(settings, lambda: NOW) as base:
        page.goto(f"{base}/queue?token={TOKEN}")
        page.keyboard.press("Tab")
        expect(page.locator(".skip")).to_be_focused()

        page.locator(f"#edit-{wrapup.id}").focus()
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text(f"Edit post {wrapup.id}")
        text = page.get_by_label("Post text")
        text.fill("Thank you, INTiLE team! Report: https://example.com/intile/report #ccprconf26")
        page.get_by_label("Send at").fill("2026-06-18T11:40")
        page.get_by_role("button", name="Save").press("Enter")
        expect(page.locator("h1")).to_have_text("Queue")
        edited = page.locator(f"#post-{wrapup.id}")
        expect(edited).to_contain_text("Thank you, INTiLE team! Report: example.com/intile/report")
        expect(edited.locator("time")).to_have_text("Thu 11:40")

        page.locator(f"#cancel-{child_first.id}").focus()
        page.keyboard.press("Enter")
        expect(page.locator(f"#post-{child_first.id}")).to_have_count(0)
    after = _rows(settings)
    row = after[wrapup.key]
    assert row.text == "Thank you, INTiLE team! Report: example.com/intile/report #ccprconf26"
    assert row.facets[0] == {
        "byteStart": 32,
        "byteEnd": 57,
        "type": "link",
        "value": "https://example.com/intile/report",
    }
    assert row.due_at == datetime(2026, 6, 18, 10, 40, tzinfo=UTC) and row.edited
    assert after[child_first.key].state == "cancelled"
    assert {k: r.state for k, r in after.items() if k not in (wrapup.key, child_first.key)} == {
        k: r.state for k, r in before.items() if k not in (wrapup.key, child_first.key)
    }
    assert errors == []


# --- a refusal in the browser --------------------------------------------------------------------


def test_a_viewer_who_presses_pause_reads_why_and_nothing_changes(
    page: Page, demo_event: Path
) -> None:
    from livepost.app.team import Team
    from livepost.model.actors import Actor

    settings = imported_demo(demo_event)
    seed_day(settings)
    engine = open_database(settings.database_url)
    _, token = Team(settings, engine, Actor.owner()).add("Vic", "viewer")
    engine.dispose()
    before = _rows(settings)
    errors = _watch_console(page)
    with serving(settings, lambda: NOW) as base:
        page.goto(f"{base}/queue?token={token}")
        expect(page.locator("#sending-title")).to_have_text("Sending is on")
        page.get_by_role("button", name="Pause everything").click()
        expect(page.locator("h1")).to_have_text("Not allowed")
        expect(page.get_by_role("alert")).to_contain_text(
            "Vic is a viewer: a viewer may not pause or resume sending"
        )
        _shoot(page, "refused-viewer")
        page.goto(f"{base}/wall/manage")
        expect(page.locator("h1")).to_have_text("Not allowed")
        page.goto(f"{base}/queue")
        expect(page.locator("#sending-title")).to_have_text("Sending is on")
    after = _rows(settings)
    assert {k: (r.state, r.due_at) for k, r in after.items()} == {
        k: (r.state, r.due_at) for k, r in before.items()
    }
    # the browser (and htmx) report the refused requests themselves, and nothing else: no CSP
    # violation, no script error
    assert errors and all("403" in e for e in errors), errors


# --- from the compose box to the real network ----------------------------------------------------


def test_a_composed_post_with_tag_link_and_image_lands_on_bluesky(
    page: Page, demo_event: Path, bluesky_network: LocalNetwork, tmp_path: Path
) -> None:
    from atproto import Client

    from livepost.publish.delivery import deliver_due
    from livepost.publish.records import Media
    from livepost.run.assemble import make_publisher

    alice = bluesky_network.account("alice")
    settings = imported_demo(
        demo_event,
        {
            "LIVEPOST_SERVICE": bluesky_network.pds_url,
            "LIVEPOST_HANDLE": alice.handle,
            "LIVEPOST_APP_PASSWORD": alice.app_password,
        },
    )
    photo = tmp_path / "intile-diagram.jpg"
    Image.new("RGB", (1600, 900), (30, 90, 160)).save(photo, quality=90)
    page.set_viewport_size(DESKTOP)
    errors = _watch_console(page)
    with serving(settings, lambda: datetime.now(UTC)) as base:
        page.goto(f"{base}/compose?talk=intile-new-technologies-law-enforcement&token={TOKEN}")
        page.get_by_label("Post text").fill(
            "The INTiLE framework, slides at https://example.com/intile/slides #policing"
        )
        preview = page.locator("#preview")
        expect(preview.locator("mark.facet-link")).to_have_text("example.com/intile/slides")
        expect(preview.locator("mark.facet-tag").first).to_have_text("#policing")
        expect(preview.locator(".chip").first).to_have_text("#ccprconf26")
        page.get_by_role("radio", name="An image").check()
        page.get_by_label("Image file").set_input_files(str(photo))
        expect(page.locator("#local-image")).to_be_visible()
        page.get_by_label("Image description (alt text)").fill(
            "Diagram of the INTiLE framework: law, ethics and technology"
        )
        page.get_by_role("radio", name="Send now").check()
        # a post of its own: in the thread, the talk's announcement would be planned first
        page.get_by_label("Reply in the talk's thread (under its announcement)").uncheck()
        page.get_by_role("button", name="Queue post").click()
        expect(page.locator(".banner-ok")).to_have_text("Post 1 is queued.")
        expect(page.locator("#post-1")).to_contain_text("queued")

        engine = open_database(settings.database_url)  # the daemon's turn
        publisher = make_publisher(settings)
        try:
            report = deliver_due(
                engine,
                settings.event_key,
                publisher,
                now=datetime.now(UTC),
                media=Media(base_dir=settings.event_dir, link_cards=False),
            )
        finally:
            publisher.close()  # type: ignore[attr-defined]
            engine.dispose()
        assert len(report.posted) == 1 and report.failed == []
        # the console sees the daemon's change by itself, within a few seconds
        expect(page.locator("#post-1")).to_have_count(0)
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Today").click()
        post = page.locator(".post.state-posted")
        expect(post).to_contain_text("The INTiLE framework, slides at example.com/intile/slides")
    (row,) = _rows(settings).values()
    assert row.state == "posted" and row.uri is not None
    reader = Client(bluesky_network.pds_url)
    reader.login(alice.handle, alice.password)
    record = reader.com.atproto.repo.get_record(
        {"repo": alice.did, "collection": "app.bsky.feed.post", "rkey": row.rkey}
    ).value
    text = "The INTiLE framework, slides at example.com/intile/slides #policing\n"
    text += "#ccprconf26 #NewTechnology #LawEnforcement"
    assert record.text == text
    facets = [
        (f.index.byte_start, f.index.byte_end, f.features[0].py_type, f.features[0])
        for f in record.facets
    ]
    assert [(s, e, t) for s, e, t, _ in facets] == [
        (32, 57, "app.bsky.richtext.facet#link"),
        (58, 67, "app.bsky.richtext.facet#tag"),
        (68, 79, "app.bsky.richtext.facet#tag"),
        (80, 94, "app.bsky.richtext.facet#tag"),
        (95, 110, "app.bsky.richtext.facet#tag"),
    ]
    assert facets[0][3].uri == "https://example.com/intile/slides"
    assert [f[3].tag for f in facets[1:]] == [
        "policing",
        "ccprconf26",
        "NewTechnology",
        "LawEnforcement",
    ]
    (image,) = record.embed.images
    assert image.alt == "Diagram of the INTiLE framework: law, ethics and technology"
    assert (image.aspect_ratio.width, image.aspect_ratio.height) == (1600, 900)
    assert errors == []
