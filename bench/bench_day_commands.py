"""The day's commands against a hello-world typer app, measured side by side in one run.

Target (issue 21): ``status``, ``queue list``, ``compose`` and ``plan --dry-run`` each within 2x
a hello-world typer app (one that runs its command, not ``--help``). Every command runs in a
fresh process on a temporary copy of ``schedules/ccprconf26`` (imported and planned once first,
so the queue has the whole event in it); the runs alternate (hello, status, queue list... then
again) so a machine that speeds up or slows down during the run moves every figure alike.
Prints each command's median wall time beside the hello-world app's and the ratio.

    .venv/bin/python bench/bench_day_commands.py [--runs 9]
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


def _once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    python = sys.executable
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEPOST_")}
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text(HELLO)
        event = Path(tmp) / "event"
        shutil.copytree(EVENT, event)
        livepost = [python, "-m", "livepost", "--event", str(event)]
        for setup in (["schedule", "import"], ["plan"]):
            subprocess.run([*livepost, *setup], check=True, capture_output=True, env=env)
        cases = {
            "typer hello": [python, str(hello)],
            "status": [*livepost, "status"],
            "queue list": [*livepost, "queue", "list"],
            "compose": [*livepost, "compose", "hello #x"],
            "plan --dry-run": [*livepost, "plan", "--dry-run"],
        }
        for argv in cases.values():  # warm the file cache and the .pyc files
            _once(argv, env)
        results: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, argv in cases.items():
                results[name].append(_once(argv, env))
    hello_median = statistics.median(results["typer hello"])
    print(f"{'command':<18}{'median ms':>11}{'hello ms':>10}{'ratio':>8}")
    for name, samples in results.items():
        median = statistics.median(samples)
        print(
            f"{name:<18}{median * 1000:>11.1f}{hello_median * 1000:>10.1f}"
            f"{median / hello_median:>7.2f}x"
        )
    print(f"target: every command within {TARGET:.1f}x ({args.runs} runs each, medians)")


if __name__ == "__main__":
    main()
