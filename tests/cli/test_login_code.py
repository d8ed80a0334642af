"""``livepost login`` for an account with two-factor sign-in by e-mail: createSession answers
``AuthFactorTokenRequired`` and e-mails a code; in a terminal livepost asks for it, elsewhere it
says how to pass it (``--code`` or ``LIVEPOST_AUTH_CODE``). The local PDS has no e-mail sign-in,
so a tiny HTTP server answers createSession the way Bluesky does."""

from __future__ import annotations

import base64
import json
import os
import pty
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.clirunner import run_livepost
from tests.publish_helpers import make_event

HANDLE = "erin.test"
DID = "did:plc:erin2fa0000000000000000"
PASSWORD = "main-password-of-erin"
CODE = "X7K2M-4QP9D"


def _jwt(scope: str) -> str:
    """An unsigned-looking JWT the SDK can read the expiry of (it never checks the signature)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    payload = {"scope": scope, "sub": DID, "iat": now, "exp": now + 90 * 86400}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.c2lnbmF0dXJl"


class _CreateSession(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]]

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        self.bodies.append(body)
        if not self.path.startswith("/xrpc/com.atproto.server.createSession"):
            self._answer(404, {"error": "MethodNotImplemented", "message": self.path})
        elif body.get("identifier") != HANDLE or body.get("password") != PASSWORD:
            self._answer(
                401,
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
            )
        elif "authFactorToken" not in body:
            self._answer(
                401,
                {
                    "error": "AuthFactorTokenRequired",
                    "message": "A sign in code has been sent to your email address",
                },
            )
        elif body["authFactorToken"] != CODE:
            self._answer(400, {"error": "InvalidToken", "message": "Token is invalid"})
        else:
            self._answer(
                200,
                {
                    "did": DID,
                    "handle": HANDLE,
                    "email": "erin@example.com",
                    "emailConfirmed": True,
                    "emailAuthFactor": True,
                    "accessJwt": _jwt("com.atproto.access"),
                    "refreshJwt": _jwt("com.atproto.refresh"),
                    "active": True,
                },
            )

    def _answer(self, status: int, content: dict[str, Any]) -> None:
        data = json.dumps(content).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def service() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The URL of a PDS whose accounts sign in with an e-mailed code, and the bodies it got."""
    bodies: list[dict[str, Any]] = []
    handler = type("Handler", (_CreateSession,), {"bodies": bodies})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    finally:
        server.shutdown()
        server.server_close()


def _env(url: str, **extra: str) -> dict[str, str]:
    return {
        "LIVEPOST_SERVICE": url,
        "LIVEPOST_HANDLE": HANDLE,
        "LIVEPOST_APP_PASSWORD": PASSWORD,
        **extra,
    }


def test_login_in_a_terminal_asks_for_the_emailed_code(
    service: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    url, bodies = service
    folder = tmp_path / "event"
    make_event(folder, None)
    terminal, typed = pty.openpty()
    try:
        os.write(terminal, f"{CODE}\n".encode())  # typed at the prompt (the terminal keeps it)
        done = run_livepost("login", cwd=folder, env=_env(url), stdin=typed)
    finally:
        os.close(terminal)
        os.close(typed)
    session_file = folder / ".livepost-session"
    assert (done.code, done.err) == (0, "")
    assert done.out.startswith(f"A sign-in code was e-mailed to the address of {HANDLE}. Code: "), (
        done.out
    )
    assert f"Logged in as {HANDLE} ({DID}) on {url}." in done.out
    assert stat.S_IMODE(os.stat(session_file).st_mode) == 0o600
    assert PASSWORD not in session_file.read_text() and CODE not in session_file.read_text()
    assert [b.get("authFactorToken") for b in bodies] == [None, CODE]


def test_without_a_terminal_the_code_is_passed_and_a_wrong_one_is_said(
    service: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    url, bodies = service
    folder = tmp_path / "event"
    make_event(folder, None)
    session_file = folder / ".livepost-session"

    asked = run_livepost("login", cwd=folder, env=_env(url), stdin=subprocess.DEVNULL)
    assert (asked.code, asked.out) == (3, "")
    assert asked.err == (
        f"Error: Bluesky e-mailed a sign-in code for {HANDLE} on {url}: the account has two-factor "
        "sign-in by e-mail, and the code is needed to log in.\nRun livepost login in a terminal "
        "to type it, or pass it: livepost login --code CODE (or set LIVEPOST_AUTH_CODE). An app "
        "password needs no code.\n"
    )
    assert not session_file.exists()

    wrong = run_livepost("login", "--code", "AAAAA-BBBBB", cwd=folder, env=_env(url))
    assert (wrong.code, wrong.out) == (3, "")
    assert wrong.err == (
        f"Error: Bluesky did not accept the sign-in code for {HANDLE} on {url} (Token is "
        "invalid).\nA code works once and expires soon; run livepost login again for a new one.\n"
    )
    assert not session_file.exists()

    done = run_livepost(
        "login", cwd=folder, env=_env(url, LIVEPOST_AUTH_CODE=CODE), stdin=subprocess.DEVNULL
    )
    assert (done.code, done.err) == (0, "")
    assert done.out.startswith(f"Logged in as {HANDLE} ({DID}) on {url}.")
    assert stat.S_IMODE(os.stat(session_file).st_mode) == 0o600
    assert [b.get("authFactorToken") for b in bodies] == [None, "AAAAA-BBBBB", CODE]
