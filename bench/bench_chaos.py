"""Chaos soak: the chaos test (tests/run/test_chaos.py) played for longer.

Run: ``.venv/bin/python bench/bench_chaos.py --minutes 20 [--seed N]``. Two rooms of one-minute
talks for about ``--minutes`` minutes on a local network of its own, while the daemon is killed,
the network frozen, the database locked, the disk filled (where a tmpfs can be mounted) and a
hostile account posts reply chains. Prints the faults injected and the posts checked; fails loudly
if any post is missing, doubled, out of its thread or misrecorded.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.run.test_chaos import SEED, check, play


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    slots = max(1, round(args.minutes / 1.5))
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        played = play(Path(tmp), slots=slots, seed=args.seed)
    elapsed = time.monotonic() - began
    check(played, planned=slots * 2 * 5)
    faults = ", ".join(f"{name} {n}" for name, n in sorted(played.faults.items()))
    print(f"played:   {slots * 2} talks in {elapsed / 60:.1f} min (seed {args.seed})")
    print(f"faults:   {sum(played.faults.values())} ({faults})")
    print(f"checked:  {len(played.rows)} planned posts = {len(played.records)} records on the PDS")
    print("result:   every post exactly once, every thread whole and in order")


if __name__ == "__main__":
    main()
