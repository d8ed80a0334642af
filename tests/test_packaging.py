"""The built wheel works on its own: a fresh virtualenv, the locked versions, no repository.

``pip install .`` from a clone builds the same wheel. This test builds it, installs it with
``constraints.txt`` (as scripts/setup.sh does) into a virtualenv that sees no other packages, and
runs ``livepost --help`` and the demo's first steps from there, outside the repository, so that
templates, fonts and migrations must come from the wheel itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OFFLINE = ("No matching distribution found", "Could not find a version", "NewConnectionError")

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LIVEPOST_", "PYTHON", "VIRTUAL_ENV"))
    }
    environ["COLUMNS"] = "80"
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_wheel_installs_and_runs_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, REPO, cwd=tmp_path
    )
    if built.returncode != 0 and any(s in built.stderr for s in OFFLINE):
        pytest.skip(f"cannot fetch the build backend (offline?): {built.stderr[-300:]}")
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("livepost-*.whl")

    venv = tmp_path / "venv"
    made = _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python, livepost = venv / "bin" / "python", venv / "bin" / "livepost"
    installed = _run(
        python, "-m", "pip", "install", "--quiet", "-c", REPO / "constraints.txt", wheel,
        cwd=tmp_path,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr

    where = _run(python, "-c", "import livepost, rich; print(livepost.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(venv)), where.stdout  # not the repository's copy
    versions = _run(python, "-m", "pip", "freeze", cwd=tmp_path).stdout.splitlines()
    locked = {
        line.split("==")[0].lower(): line
        for line in (REPO / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    for line in versions:  # every dependency at its locked version
        name = line.split("==")[0].lower()
        if name != "livepost" and "==" in line:
            assert locked.get(name) == line, f"{line} is not locked as such in constraints.txt"

    helped = _run(livepost, "--help", cwd=tmp_path)
    assert helped.returncode == 0, helped.stderr
    assert "schedule" in helped.stdout and "run" in helped.stdout

    event = tmp_path / "ccprconf26"
    shutil.copytree(REPO / "schedules" / "ccprconf26", event)
    imported = _run(livepost, "--event", event, "schedule", "import", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "Imported 18 items from" in imported.stdout
    assert "18 added, 0 changed, 0 withdrawn, 0 unchanged." in imported.stdout
    # the post templates and the card fonts come from the wheel too
    cards = tmp_path / "cards"
    shown = _run(
        livepost, "--event", event, "preview", "--talk", "red-flags-police-misconduct",
        "--out", cards, cwd=tmp_path,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "#ccprconf26" in shown.stdout
    assert (cards / "red-flags-police-misconduct.png").read_bytes()[:4] == b"\x89PNG"
