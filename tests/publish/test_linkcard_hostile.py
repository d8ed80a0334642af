"""Link cards fetch through livepost.fetch: a page's image on the metadata address, a page that
redirects there, a page that never finishes. Real servers on 127.0.0.1, built here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from livepost.publish.linkcard import LinkCardError, fetch_link_card

PAGE = (
    b"<html><head><title>Talk</title>"
    b'<meta property="og:image" content="http://169.254.169.254/latest/meta-data/x.png">'
    b"</head><body>x</body></html>"
)


@pytest.fixture
def base() -> Iterator[str]:
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/moved":
                self.send_response(301)
                self.send_header("Location", "http://169.254.169.254/latest/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            slow = self.path == "/slow"  # declares more than it sends, then drips
            self.send_header("Content-Length", str(len(PAGE) * (100 if slow else 1)))
            self.end_headers()
            self.wfile.write(PAGE)
            if slow:
                try:
                    while not stop.wait(0.2):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                except OSError:
                    pass
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def test_an_image_on_the_metadata_address_is_left_out(base: str) -> None:
    card = fetch_link_card(f"{base}/page", timeout=5)
    assert (card.title, card.thumb) == ("Talk", None)
    assert card.thumb_problem == (
        "http://169.254.169.254/latest/meta-data/x.png: refused: 169.254.169.254 is a link-local "
        f"address (named by {base}/page)"
    )


def test_a_page_redirecting_to_the_metadata_address_gives_no_card(base: str) -> None:
    with pytest.raises(LinkCardError) as caught:
        fetch_link_card(f"{base}/moved", timeout=5)
    assert caught.value.message == (
        "http://169.254.169.254/latest/: refused: 169.254.169.254 is a link-local address "
        f"(a redirect from {base}/moved led there)"
    )


def test_a_page_that_never_ends_gives_no_card_at_the_timeout(base: str) -> None:
    with pytest.raises(LinkCardError) as caught:
        fetch_link_card(f"{base}/slow", timeout=1)
    assert caught.value.message == (
        f"{base}/slow: no complete answer within 1 s (the server at {base}/slow is too slow or "
        "stalled)"
    )
