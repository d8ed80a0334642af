"""The day's commands against a hello-world typer app's ``--help``, measured in the same run.

Target (issue 11): ``status``, ``queue list``, ``queue add`` and ``compose`` each within 2x of a
hello-world typer app's ``--help``. Each command runs in a fresh subprocess on a temporary copy
of ``schedules/ccprconf26`` (imported once first); prints best and median of several runs.

    .venv/bin/python bench/bench_commands.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENT = ROOT / "schedules" / "ccprconf26"
TARGET = 2.0

HELLO = """\
import typer

app = typer.Typer()


@app.command()
def main(name: str = "world") -> None:
    print(f"hello {name}")


if __name__ == "__main__":
    app()
"""


def _samples(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        event = Path(tmp) / "event"
        shutil.copytree(EVENT, event)
        livepost = [python, "-m", "livepost", "--event", str(event)]
        subprocess.run([*livepost, "schedule", "import"], check=True, capture_output=True, env=env)
        cases = {
            "typer hello --help": [python, str(hello), "--help"],
            "status": [*livepost, "status"],
            "queue list": [*livepost, "queue", "list"],
            "queue add": [*livepost, "queue", "add", "Coffee", "--at", "+10m"],
            "compose": [*livepost, "compose", "hello #x"],
        }
        for argv in cases.values():  # warm the file cache and .pyc files
            _samples(argv, 1, env)
        results = {name: _samples(argv, args.runs, env) for name, argv in cases.items()}
    reference = statistics.median(results["typer hello --help"])
    print(f"{'command':<22}{'best ms':>10}{'median ms':>12}{'vs typer':>10}")
    for name, samples in results.items():
        median = statistics.median(samples)
        print(
            f"{name:<22}{min(samples) * 1000:>10.1f}{median * 1000:>12.1f}"
            f"{median / reference:>9.2f}x"
        )
    print(f"target: every command under {TARGET:.1f}x ({args.runs} runs each, ratio of medians)")


if __name__ == "__main__":
    main()
