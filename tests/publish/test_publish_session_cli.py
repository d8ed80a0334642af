"""``livepost login`` / ``logout`` as a user runs them, against the local PDS."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from livepost.devtools.bluesky_network import LocalNetwork
from livepost.devtools.postgres import free_port
from tests.clirunner import run_livepost
from tests.publish_helpers import make_event


def test_login_status_logout(bluesky_network: LocalNetwork, tmp_path: Path) -> None:
    from livepost.bluesky.session import session_status

    folder = tmp_path / "event"
    make_event(folder, None)
    alice = bluesky_network.account("alice")
    env = {
        "LIVEPOST_SERVICE": bluesky_network.pds_url,
        "LIVEPOST_HANDLE": alice.handle,
        "LIVEPOST_APP_PASSWORD": alice.app_password,
    }
    done = run_livepost("login", cwd=folder, env=env)
    session_file = folder / ".livepost-session"
    assert (done.code, done.err) == (0, "")
    assert done.out == (
        f"Logged in as alice.test ({alice.did}) on {bluesky_network.pds_url}.\n"
        f"The session is kept in {session_file} (owner only).\n"
    )
    assert stat.S_IMODE(os.stat(session_file).st_mode) == 0o600
    assert alice.app_password not in session_file.read_text()

    settings = make_event(folder, bluesky_network)
    assert session_status(settings).to_json()["handle"] == "alice.test"

    done = run_livepost("logout", cwd=folder, env=env)
    assert (done.code, done.out) == (
        0,
        f"Logged out alice.test from {bluesky_network.pds_url}; the session file is gone.\n",
    )
    assert not session_file.exists()
    assert session_status(make_event(folder, None)).describe() == (
        "Not logged in to Bluesky (https://bsky.social). "
        "Run: livepost login (without it, livepost runs as a dry run)."
    )
    done = run_livepost("logout", cwd=folder, env=env)
    assert (done.code, done.out) == (0, "Not logged in: nothing to do.\n")


def test_login_with_a_wrong_password(bluesky_network: LocalNetwork, tmp_path: Path) -> None:
    folder = tmp_path / "event"
    make_event(folder, None)
    env = {
        "LIVEPOST_SERVICE": bluesky_network.pds_url,
        "LIVEPOST_HANDLE": "alice.test",
        "LIVEPOST_APP_PASSWORD": "aaaa-bbbb-cccc-dddd",
    }
    done = run_livepost("login", cwd=folder, env=env)
    assert done.code == 3
    assert done.err == (
        f"Error: Bluesky refused the login of alice.test on {bluesky_network.pds_url}: wrong "
        "handle or app password.\nCheck LIVEPOST_HANDLE and LIVEPOST_APP_PASSWORD (an app "
        "password is made in the Bluesky app: Settings > Privacy and security > App passwords).\n"
    )
    assert "aaaa-bbbb" not in done.out + done.err
    assert not (folder / ".livepost-session").exists()


def test_login_to_an_unreachable_service(tmp_path: Path) -> None:
    folder = tmp_path / "event"
    make_event(folder, None)
    service = f"http://127.0.0.1:{free_port()}"
    env = {
        "LIVEPOST_SERVICE": service,
        "LIVEPOST_HANDLE": "alice.test",
        "LIVEPOST_APP_PASSWORD": "aaaa-bbbb-cccc-dddd",
    }
    done = run_livepost("login", cwd=folder, env=env)
    assert done.code == 6
    assert done.err == (
        f"Error: Cannot reach the Bluesky service {service} (ConnectError: [Errno 111] "
        "Connection refused).\nCheck LIVEPOST_SERVICE and the network connection, then try "
        "again.\n"
    )
