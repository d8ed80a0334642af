"""The web console over HTTP: the access token, CSRF on every form, and every view on real data
(the demo event imported by the real CLI into a real SQLite file)."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import select
from starlette.routing import Route

with warnings.catch_warnings():  # starlette suggests httpx2; httpx is what the project uses
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from livepost.config import Settings
from livepost.store.engine import open_database, session_scope
from livepost.store.models import EventRow, OutboxRow
from livepost.web.app import create_app
from livepost.web.security import BAD_TOKEN_TEXT, CSRF_TEXT, UNAUTHORIZED_TEXT
from livepost.web.server import EXPOSED_WARNING, console_url, startup_lines
from tests.web_helpers import NOW, TOKEN, csrf_of, imported_demo, seed_day


@pytest.fixture
def settings(demo_event: Path) -> Settings:
    return imported_demo(demo_event)


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, token=TOKEN, clock=lambda: NOW, online_checks=False)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        yield client


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    """A browser that has opened the printed address once (it holds the cookies now)."""
    assert app_client.get(f"/?token={TOKEN}").status_code == 200
    return app_client


def _rows(settings: Settings) -> list[OutboxRow]:
    engine = open_database(settings.database_url)
    try:
        with session_scope(engine) as session:
            return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
    finally:
        engine.dispose()


def _png(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "PNG")
    return out.getvalue()


# --- the access token ----------------------------------------------------------------------------


def test_a_request_without_the_token_is_refused(app_client: TestClient) -> None:
    response = app_client.get("/")
    assert response.status_code == 401
    assert "Access token needed" in response.text
    assert UNAUTHORIZED_TEXT.replace("'", "&#39;") in response.text
    assert "set-cookie" not in response.headers
    for path in ("/queue", "/compose", "/card.png?kind=talk&talk=x", "/checks/results"):
        assert app_client.get(path).status_code == 401, path


def test_a_wrong_token_is_refused(app_client: TestClient) -> None:
    response = app_client.get("/?token=guess")
    assert response.status_code == 401
    assert "Wrong access token" in response.text
    assert BAD_TOKEN_TEXT.replace("'", "&#39;") in response.text
    assert app_client.get("/", headers={"Authorization": "Bearer guess"}).status_code == 401


def test_the_token_becomes_a_strict_httponly_cookie(app_client: TestClient) -> None:
    first = app_client.get(f"/?token={TOKEN}")
    assert first.status_code == 200
    cookies = first.headers.get_list("set-cookie")
    assert f"livepost_token_8765={TOKEN}; Path=/; HttpOnly; SameSite=Strict" in cookies
    assert any(
        re.fullmatch(r"livepost_session_8765=[\w-]+; Path=/; HttpOnly; SameSite=Strict", c)
        for c in cookies
    )
    assert first.headers["content-security-policy"].startswith("default-src 'self'")
    assert first.headers["referrer-policy"] == "no-referrer"
    again = app_client.get("/queue")  # the cookie alone
    assert again.status_code == 200
    assert "set-cookie" not in again.headers


def test_the_bearer_header_works_and_static_files_are_public(app_client: TestClient) -> None:
    assert app_client.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    htmx = app_client.get("/static/htmx.min.js")
    assert htmx.status_code == 200
    assert htmx.text.startswith("var htmx=function()")


# --- CSRF ----------------------------------------------------------------------------------------


def test_every_post_route_refuses_a_form_without_the_csrf_token(
    client: TestClient, settings: Settings
) -> None:
    seed_day(settings)
    before = [(r.id, r.state, r.text, r.due_at) for r in _rows(settings)]
    app = client.app
    post_paths = [
        r.path.replace("{post_id:int}", "7").replace("{verb:str}", "hide")
        for r in app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route) and "POST" in (r.methods or ()) and not r.path.startswith("/api/")
    ]  # the API's (JSON, X-CSRF-Token header) are in test_api.py
    assert len(post_paths) == 11  # with /wall/{verb} and /replies/hide
    for path in post_paths:
        response = client.post(path, data={"text": "Hijacked #x", "talk": "", "due": ""})
        assert response.status_code == 403, path
        assert "Form refused" in response.text
        assert CSRF_TEXT.replace("'", "&#39;") in response.text
        wrong = client.post(path, data={"csrf_token": "0" * 64, "text": "Hijacked"})
        assert wrong.status_code == 403, path
    assert [(r.id, r.state, r.text, r.due_at) for r in _rows(settings)] == before


def test_a_csrf_token_of_another_session_is_refused(client: TestClient, settings: Settings) -> None:
    token = csrf_of(client.get("/compose").text)
    other = TestClient(client.app, base_url="http://127.0.0.1:8765")
    assert other.get(f"/?token={TOKEN}").status_code == 200
    response = other.post("/queue/pause", data={"csrf_token": token})
    assert response.status_code == 403
    mine = client.post("/queue/pause", data={"csrf_token": token}, follow_redirects=False)
    assert mine.status_code == 303


# --- views on real data --------------------------------------------------------------------------


def test_today_shows_the_timeline_with_the_now_line_and_post_states(
    client: TestClient, settings: Settings
) -> None:
    seed_day(settings)
    page = client.get("/").text
    assert "<h1>Today, Thursday 18 June 2026</h1>" in page
    assert '<li class="now-line" id="now"><span>Now · 11:20</span></li>' in page
    # the now line sits after the 10:50 talks (on now) and before the 11:35 coffee break
    now_at = page.index('class="now-line"')
    assert page.index("INTiLE: New Technologies in Law Enforcement") < now_at
    assert now_at < page.index("Child First")
    assert page.count('<span class="badge live">On now</span>') == 3
    assert "<strong>4</strong> posted" in page and "<strong>1</strong> failed" in page
    keynote = page[page.index("Keynote: Rebuilding") : page.index("Coffee break")]
    assert keynote.count('<span class="badge state-posted">posted</span>') == 2
    assert '<span class="badge state-missed">missed</span>' in keynote
    assert (
        '<mark class="facet facet-link" title="link: https://www.gov.uk/government/publications/'
        'baroness-casey-review">www.gov.uk/government/p...</mark>' in keynote
    )
    assert 'href="/compose?talk=keynote-public-trust-after-casey"' in keynote


def test_the_timeline_poll_answers_204_until_something_changes(
    client: TestClient, settings: Settings
) -> None:
    seed_day(settings)
    first = client.get("/today/timeline?day=2026-06-18")
    stamp = re.search(r"since=([0-9a-f]{16})", first.text)
    assert first.status_code == 200 and stamp
    same = client.get(f"/today/timeline?day=2026-06-18&since={stamp.group(1)}")
    assert same.status_code == 204
    engine = open_database(settings.database_url)  # the daemon, in another process, sends a post
    with session_scope(engine) as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.state == "queued")).first()
        assert row is not None
        row.state, row.uri, row.cid, row.sent_at = "posted", "at://x/y/z", "bafyz", NOW
    engine.dispose()
    changed = client.get(f"/today/timeline?day=2026-06-18&since={stamp.group(1)}")
    assert changed.status_code == 200
    assert "<strong>5</strong> posted" in changed.text


def test_today_without_a_programme_says_what_to_do(tmp_path: Path) -> None:
    from livepost.config import load_settings

    (tmp_path / "livepost.toml").write_text('[event]\nname = "Empty"\nhashtags = ["e"]\n')
    app = create_app(load_settings(tmp_path, environ={}), token=TOKEN, clock=lambda: NOW)
    with TestClient(app) as client:
        page = client.get(f"/?token={TOKEN}").text
    assert "Nothing in the programme for this day." in page
    assert "<code>livepost schedule import FILE</code>" in page


def test_queue_lists_upcoming_failed_and_missed_posts(
    client: TestClient, settings: Settings
) -> None:
    seed = seed_day(settings)
    page = client.get("/queue").text
    assert 'Failed <span class="count">1</span>' in page
    assert 'Missed <span class="count">1</span>' in page
    assert f'Up next <span class="count">{seed.queued}</span>' in page
    assert (
        "<strong>Why:</strong> Bluesky refused the post: the image is larger than 1,000,000 bytes"
        in page
    )
    assert page.count(">Retry<") == 2
    # a post with unsent replies asks before cancelling them too; the others do not
    assert 'hx-confirm="Cancel this post and the 1 unsent reply under it?"' not in page  # posted
    assert "Sending is on" in page


def test_pause_and_resume_the_whole_event(client: TestClient, settings: Settings) -> None:
    token = csrf_of(client.get("/queue").text)
    response = client.post("/queue/pause", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    engine = open_database(settings.database_url)
    with session_scope(engine) as session:
        assert session.scalars(select(EventRow.paused)).one() is True
    assert "Sending is paused" in client.get("/queue").text
    client.post("/queue/resume", headers={"X-CSRF-Token": token})
    with session_scope(engine) as session:
        assert session.scalars(select(EventRow.paused)).one() is False
    engine.dispose()


def test_retry_cancel_and_reorder(client: TestClient, settings: Settings) -> None:
    seed = seed_day(settings)
    token = csrf_of(client.get("/queue").text)
    rows = {r.key: r for r in _rows(settings)}
    failed = rows["announce/body-worn-video-domestic-abuse"]
    assert client.post(f"/posts/{failed.id}/retry", data={"csrf_token": token}).status_code == 200
    again = {r.key: r for r in _rows(settings)}["announce/body-worn-video-domestic-abuse"]
    assert (again.state, again.last_error, again.due_at) == ("queued", None, NOW)

    wrapup = rows["wrapup/intile-new-technologies-law-enforcement"]
    snippet = rows["snippet/intile-new-technologies-law-enforcement/0"]
    assert snippet.id == seed.snippet_id
    client.post(f"/posts/{wrapup.id}/up", data={"csrf_token": token})
    moved = {r.key: r for r in _rows(settings)}
    assert moved[wrapup.key].due_at == snippet.due_at
    assert moved[snippet.key].due_at == wrapup.due_at
    assert moved[wrapup.key].edited and moved[snippet.key].edited

    client.post(f"/posts/{snippet.id}/cancel", data={"csrf_token": token})
    assert {r.key: r.state for r in _rows(settings)}[snippet.key] == "cancelled"
    posted = rows["announce/intile-new-technologies-law-enforcement"]
    refused = client.post(f"/posts/{posted.id}/cancel", data={"csrf_token": token})
    assert refused.status_code == 409
    assert f"cannot cancel post {posted.id}: it is posted" in refused.text


def test_edit_writes_links_out_and_shortens_them_again(
    client: TestClient, settings: Settings
) -> None:
    seed_day(settings)
    missed = {r.key: r for r in _rows(settings)}["snippet/keynote-public-trust-after-casey/1"]
    form = client.get(f"/posts/{missed.id}/edit").text
    assert "Q&amp;A: how do forces measure confidence locally?\n#ccprconf26</textarea>" in form
    assert 'value="2026-06-18T10:28"' in form
    token = csrf_of(form)
    text = "Q&A: see https://example.com/a/very/long/path/to/the/answer #ccprconf26"
    response = client.post(
        f"/posts/{missed.id}/edit",
        data={"csrf_token": token, "text": text, "due": "2026-06-18T11:45"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    row = {r.id: r for r in _rows(settings)}[missed.id]
    assert row.text == "Q&A: see example.com/a/very/long/... #ccprconf26"
    assert row.facets == [
        {
            "byteStart": 9,
            "byteEnd": 36,
            "type": "link",
            "value": "https://example.com/a/very/long/path/to/the/answer",
        },
        {"byteStart": 37, "byteEnd": 48, "type": "tag", "value": "ccprconf26"},
    ]
    assert row.due_at == NOW + timedelta(minutes=25) and row.edited
    # edited again: the full address comes back, so the link is not lost
    assert (
        "https://example.com/a/very/long/path/to/the/answer"
        in client.get(f"/posts/{missed.id}/edit").text
    )
    too_long = client.post(
        f"/posts/{missed.id}/edit", data={"csrf_token": token, "text": "x" * 301, "due": ""}
    )
    assert too_long.status_code == 422
    assert "That is 301 characters; a post holds 300." in too_long.text


def test_compose_preview_shows_tags_facets_counts_and_thread(client: TestClient) -> None:
    token = csrf_of(client.get("/compose").text)
    response = client.post(
        "/compose/preview",
        headers={"X-CSRF-Token": token},
        data={
            "text": "Slides: https://example.com/slides #INTiLE with @alice.test",
            "talk": "intile-new-technologies-law-enforcement",
            "in_thread": "on",
            "attach": "talk-card",
        },
    )
    html = response.text
    assert (
        '<dt>Hashtags added</dt><dd><span class="chip">#ccprconf26</span> '
        '<span class="chip">#NewTechnology</span> <span class="chip">#LawEnforcement</span> </dd>'
        in html
    )
    assert '<mark class="facet facet-tag" title="tag: INTiLE">#INTiLE</mark>' in html
    assert (
        '<mark class="facet facet-mention" title="mention: alice.test">@alice.test</mark>' in html
    )
    assert (
        "A reply in the talk&#39;s thread: its announcement is not planned yet, so it is planned "
        "first." in html
    )
    assert 'src="/card.png?kind=talk&amp;talk=intile-new-technologies-law-enforcement"' in html
    assert '<output id="counter" for="text" class="counter" hx-swap-oob="true">' in html
    assert "94 / 300 characters · 94 / 3000 bytes" in html
    long = client.post(
        "/compose/preview", headers={"X-CSRF-Token": token}, data={"text": "word " * 100}
    ).text
    assert "Post 1 of 2" in long and "Post 2 of 2" in long
    assert "2 posts (a thread)" in long


def test_the_card_endpoint_draws_the_talk_card(client: TestClient) -> None:
    response = client.get("/card.png?kind=talk&talk=intile-new-technologies-law-enforcement")
    assert response.status_code == 200
    assert response.headers["content-type"] in ("image/png", "image/jpeg")
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1200, 675)
    assert "INTiLE" in response.headers["x-alt-text"]
    missing = client.get("/card.png?kind=talk&talk=nope")
    assert missing.status_code == 404
    assert missing.text == "no talk with id 'nope'"


def test_compose_queues_a_reply_with_an_image_in_the_talks_thread(
    client: TestClient, settings: Settings
) -> None:
    seed_day(settings)
    token = csrf_of(client.get("/compose").text)
    response = client.post(
        "/compose",
        data={
            "csrf_token": token,
            "text": "Slides: https://example.com/slides #INTiLE",
            "talk": "intile-new-technologies-law-enforcement",
            "in_thread": "on",
            "attach": "image",
            "alt": "The INTiLE framework diagram",
            "when": "now",
        },
        files={"image": ("slide.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    new = _rows(settings)[-1]
    assert response.headers["location"] == f"/queue?queued={new.id}"
    announcement = {r.key: r for r in _rows(settings)}[
        "announce/intile-new-technologies-law-enforcement"
    ]
    assert (new.state, new.origin, new.kind, new.due_at) == ("queued", "manual", "snippet", NOW)
    assert (new.parent_id, new.root_id) == (announcement.id, announcement.id)
    assert (
        new.text == "Slides: example.com/slides #INTiLE\n#ccprconf26 #NewTechnology #LawEnforcement"
    )
    assert [f["type"] for f in new.facets] == ["link", "tag", "tag", "tag", "tag"]
    assert new.embed is not None
    (image,) = new.embed["images"]
    assert image["alt"] == "The INTiLE framework diagram"
    stored = Path(image["path"])
    assert stored.parent == (settings.event_dir / "uploads").resolve()
    with Image.open(stored) as kept:  # re-encoded without its metadata: the same picture
        assert kept.size == Image.open(io.BytesIO(_png())).size
        assert (
            kept.convert("RGB").tobytes() == Image.open(io.BytesIO(_png())).convert("RGB").tobytes()
        )


def test_compose_refuses_an_image_without_alt_text_and_keeps_nothing(
    client: TestClient, settings: Settings
) -> None:
    token = csrf_of(client.get("/compose").text)
    response = client.post(
        "/compose",
        data={"csrf_token": token, "text": "Look", "attach": "image", "alt": "", "when": "now"},
        files={"image": ("a.png", _png(), "image/png")},
    )
    assert response.status_code == 422
    assert (
        "<strong>Not queued:</strong> a.png has no alt text. Describe what it shows: without alt "
        "text, people using screen readers get nothing from it." in response.text
    )
    assert (
        'id="alt" name="alt" rows="2" maxlength="2000" aria-describedby="alt-help" '
        'aria-invalid="true"' in response.text
    )
    assert _rows(settings) == []
    assert not (settings.event_dir / "uploads").exists()
    broken = client.post(
        "/compose",
        data={"csrf_token": token, "text": "Look", "attach": "image", "alt": "x", "when": "now"},
        files={"image": ("notes.png", b"not an image", "image/png")},
    )
    assert broken.status_code == 422
    assert "notes.png: cannot read this image (not an image, or the file is damaged)" in broken.text
    past = client.post(
        "/compose",
        data={"csrf_token": token, "text": "Late", "when": "at", "at": "2026-06-18T09:00"},
    )
    assert past.status_code == 422
    assert "09:00 on 18 June has passed. Choose a later time, or send it now." in past.text
    assert _rows(settings) == []


def test_engagement_shows_counts_top_posts_and_the_community(
    client: TestClient, settings: Settings
) -> None:
    empty = client.get("/engagement").text
    assert "No engagement numbers yet." in empty
    assert "No posts by others under the hashtag yet." in empty
    seed_day(settings)
    page = client.get("/engagement").text
    assert "<li><strong>83</strong><span>likes</span></li>" in page
    assert "<li><strong>31</strong><span>reposts</span></li>" in page
    assert "Over 4 posts" in page
    top = page[page.index("<h3>Top posts</h3>") :]
    assert top.index("Trust is earned") < top.index("Next - Dr Sarah Whitfield")
    assert "<strong><bdi>Jo Mockeridge</bdi></strong>" in page
    assert '<mark class="facet facet-tag" title="tag: ccprconf26">#ccprconf26</mark>' in page
    assert "Image: <bdi>A full lecture theatre" in page


def test_checks_show_the_doctor_output(client: TestClient) -> None:
    assert "Running the checks…" in client.get("/checks").text
    results = client.get("/checks/results").text
    assert '<p class="check-name">programme</p>' in results
    assert '<p class="check-detail">14 talks and 4 breaks imported</p>' in results
    assert "LIVEPOST_HANDLE and LIVEPOST_APP_PASSWORD not set: livepost can only dry-run" in results
    assert "Usable, with warnings." in results
    assert "livepost run is not running: queued posts wait until it is" in results
    assert "<strong>Fix:</strong> Start it in the event folder with: livepost run" in results


def test_checks_see_a_running_daemon(client: TestClient, settings: Settings) -> None:
    import os

    from livepost.store.lock import RunLock

    engine = open_database(settings.database_url)
    try:
        with RunLock(engine, settings.event_key):  # what livepost run holds while it runs
            results = client.get("/checks/results").text
    finally:
        engine.dispose()
    assert re.search(
        rf'<p class="check-detail">livepost run is running \(pid {os.getpid()}, since '
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\)</p>",
        results,
    ), results


# --- the command ---------------------------------------------------------------------------------


def test_startup_lines_and_the_warning_for_other_addresses() -> None:
    assert console_url("127.0.0.1", 8765, "abc") == "http://127.0.0.1:8765/?token=abc"
    assert console_url("0.0.0.0", 9000, "abc") == "http://127.0.0.1:9000/?token=abc"
    assert console_url("::1", 9000, "abc") == "http://[::1]:9000/?token=abc"
    local = startup_lines("127.0.0.1", 8765, "abc", "Conf")
    assert not any(line.startswith("Warning") for line in local)
    exposed = startup_lines("0.0.0.0", 8765, "abc", "Conf")
    assert exposed[0] == EXPOSED_WARNING.format(host="0.0.0.0")
    assert "the token is then the only protection" in exposed[0]
    assert startup_lines("localhost", 1, "t", "C")[0] == "livepost console for C"


def test_livepost_serve_prints_the_address_and_serves_it(demo_event: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "livepost",
            "--event",
            str(demo_event),
            "serve",
            "--port",
            "0",  # any free port: the printed address says which
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        assert lines[0] == "livepost console for CCPR Conference 2026\n"
        url = lines[2].strip()
        found = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=[\w-]{43}", url)
        assert found is not None and int(found[1]) > 0
        port = int(found[1])
        for _ in range(100):
            try:
                response = httpx.get(url)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert response.status_code == 200
        assert "<title>Today · CCPR Conference 2026</title>" in response.text
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=20)


# --- accessibility -------------------------------------------------------------------------------


def test_every_colour_pair_of_the_style_sheet_meets_wcag_aa() -> None:
    from livepost.cards.themes import contrast_ratio
    from livepost.web.app import STATIC

    css = (STATIC / "console.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    colours["white"] = "#ffffff"
    pairs = [
        ("text", "surface"),
        ("text", "bg"),
        ("muted", "surface"),
        ("muted", "bg"),
        ("accent", "surface"),
        ("accent", "bg"),
        ("danger", "surface"),
        ("white", "accent"),
        ("white", "accent-dark"),
        ("white", "live"),
        ("white", "brand"),
        ("live", "surface"),
        ("ok-fg", "ok-bg"),
        ("queued-fg", "queued-bg"),
        ("fail-fg", "fail-bg"),
        ("missed-fg", "missed-bg"),
        ("sending-fg", "sending-bg"),
        ("off-fg", "off-bg"),
        ("fail-fg", "surface"),
        ("muted", "missed-bg"),
        ("text", "missed-bg"),
    ]
    weak = {
        f"{a} on {b}": round(contrast_ratio(colours[a], colours[b]), 2)
        for a, b in pairs
        if contrast_ratio(colours[a], colours[b]) < 4.5
    }
    assert weak == {}
    nav = re.search(r"\.top nav a \{[^}]*color: (#[0-9a-f]{6})", css)
    assert nav and contrast_ratio(nav.group(1), colours["brand"]) >= 4.5


def test_livepost_serve_on_a_taken_port_says_so(demo_event: Path) -> None:
    from tests.clirunner import run_livepost

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_livepost("--event", demo_event, "serve", "--port", str(port))
    assert done.code == 3
    assert done.out == ""
    assert done.err == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
        "Another program (or another livepost serve) uses that port: choose another with "
        "--port, or check the --host address.\n"
    )


def test_pick_day_prefers_today_then_the_next_programme_day() -> None:
    from datetime import date

    from livepost.app.today import pick_day

    days = [date(2026, 6, 18), date(2026, 6, 19)]
    assert pick_day(days, date(2026, 6, 19), None) == date(2026, 6, 19)
    assert pick_day(days, date(2026, 6, 1), None) == date(2026, 6, 18)
    assert pick_day(days, date(2026, 11, 22), None) == date(2026, 6, 19)
    assert pick_day(days, date(2026, 11, 22), date(2026, 6, 18)) == date(2026, 6, 18)
    assert pick_day([], date(2026, 11, 22), None) == date(2026, 11, 22)
