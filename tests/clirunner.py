"""Run the real ``livepost`` command in a subprocess, as a user would, and capture what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_livepost(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: int | None = None,
    input: str | None = None,
) -> Result:
    """``python -m livepost ARGS`` with a clean ``LIVEPOST_*`` environment plus ``env``; ``stdin``
    as for :func:`subprocess.run` (a file descriptor such as a pseudo-terminal, or DEVNULL), or
    ``input``, text fed to standard input."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    environ["COLUMNS"] = "200"  # rich tables: no wrapping in assertions (unless env says)
    environ.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "livepost", *map(str, args)],
        cwd=cwd,
        env=environ,
        capture_output=True,
        stdin=stdin,
        input=input,
        text=True,
        timeout=120,
    )
    return Result(done.returncode, done.stdout, done.stderr)
