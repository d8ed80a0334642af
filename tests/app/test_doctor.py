"""`livepost doctor`: each check says what it found and how to fix what is wrong."""

from __future__ import annotations

from pathlib import Path

from livepost.devtools.bluesky_network import LocalNetwork
from livepost.devtools.postgres import free_port
from tests.clirunner import run_livepost


def test_demo_event_before_and_after_import(demo_event: Path) -> None:
    before = run_livepost("--event", demo_event, "doctor", "--offline")
    assert before.code == 0, before.err
    assert "[ok  ] settings: CCPR Conference 2026: #ccprconf26, Europe/London, langs en-GB\n" in (
        before.out
    )
    assert "[warn] programme: no programme imported yet\n" in before.out
    assert f"fix: Run: livepost schedule import {demo_event / 'schedule.yaml'}" in before.out
    assert "[ok  ] notes: " in before.out  # checked against the programme file itself
    assert before.out.endswith("Usable, with warnings.\n")

    run_livepost("--event", demo_event, "schedule", "import")
    after = run_livepost("--event", demo_event, "doctor", "--offline")
    assert "[ok  ] programme: 14 talks and 4 breaks imported\n" in after.out
    assert (
        "[warn] credentials: LIVEPOST_HANDLE and LIVEPOST_APP_PASSWORD not set: "
        "livepost can only dry-run\n"
    ) in after.out


def test_unreachable_service_is_a_warning_with_a_fix(demo_event: Path) -> None:
    service = f"http://127.0.0.1:{free_port()}"
    result = run_livepost("--event", demo_event, "doctor", env={"LIVEPOST_SERVICE": service})
    assert result.code == 0
    assert f"[warn] service: cannot reach {service} (ConnectError)\n" in result.out
    assert "fix: Check the network connection and LIVEPOST_SERVICE (the PDS base URL)." in (
        result.out
    )


def test_reachable_local_pds_and_credentials(
    demo_event: Path, bluesky_network: LocalNetwork
) -> None:
    alice = bluesky_network.account("alice")
    env = {
        "LIVEPOST_SERVICE": bluesky_network.pds_url,
        "LIVEPOST_HANDLE": alice.handle,
        "LIVEPOST_APP_PASSWORD": alice.app_password,
    }
    result = run_livepost("--event", demo_event, "doctor", env=env)
    assert result.code == 0, result.err
    assert f"[ok  ] service: {bluesky_network.pds_url} is reachable\n" in result.out
    assert (
        f"[ok  ] credentials: {alice.handle} on {bluesky_network.pds_url} "
        "(password from environment)\n"
    ) in result.out
    assert alice.app_password not in result.out + result.err


def test_broken_settings_fail(tmp_path: Path) -> None:
    (tmp_path / "livepost.toml").write_text('[event]\nname = "X"\ntimezone = "Nowhere/City"\n')
    result = run_livepost("--event", tmp_path, "doctor", "--offline")
    assert result.code == 3
    assert result.out.startswith(
        f"[FAIL] settings: {tmp_path / 'livepost.toml'}: event.timezone: 'Nowhere/City' is not "
        "a time zone (use an IANA name like Europe/London)\n"
    )
    assert result.err == "1 check(s) failed.\n"
