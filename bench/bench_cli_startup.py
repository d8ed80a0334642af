"""Cold start of `livepost --help` against `python -c "import typer"`, measured in the same run.

Target: livepost's help within 1.5x of importing typer alone, which holds only while atproto,
Pillow and SQLAlchemy are imported lazily. Prints the median of several runs of each.

    .venv/bin/python bench/bench_cli_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time


def _median_seconds(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    cases = {
        "python -c 'import typer'": [python, "-c", "import typer"],
        "livepost --help": [python, "-m", "livepost", "--help"],
        "livepost schedule --help": [python, "-m", "livepost", "schedule", "--help"],
    }
    _median_seconds(cases["livepost --help"], 2)  # warm the file cache and .pyc files
    results = {name: _median_seconds(argv, args.runs) for name, argv in cases.items()}
    reference = results["python -c 'import typer'"]
    print(f"{'command':<32}{'median ms':>12}{'vs typer':>10}")
    for name, seconds in results.items():
        print(f"{name:<32}{seconds * 1000:>12.1f}{seconds / reference:>9.2f}x")
    heavy = subprocess.run(
        [python, "-X", "importtime", "-m", "livepost", "--help"], capture_output=True, text=True
    ).stderr
    loaded = [m for m in ("atproto", "PIL", "sqlalchemy") if re.search(rf"\|\s+{m}$", heavy, re.M)]
    print(f"heavy modules imported by --help: {', '.join(loaded) or 'none'}")
    print("target: livepost --help under 1.5x")


if __name__ == "__main__":
    main()
