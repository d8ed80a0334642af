"""Composition speed: 10,000 snippets end to end, and facet detection against @atproto/api.

Run: ``.venv/bin/python bench/bench_compose.py``. Targets: 10,000 snippets composed (template,
hashtags, facets, split) in under 1 s; facet detection at least as fast per string as the
official client's ``detectFacetsWithoutResolution`` under Node (timed in the same run over the
parity corpus, ``tests/parity/corpus.json``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

from livepost.compose.compose import compose
from livepost.compose.context import build_context
from livepost.compose.facets import detect_facets
from livepost.errors import LivepostError
from livepost.model import Person, Talk

ROOT = Path(__file__).resolve().parents[1]
PARITY = ROOT / "tests" / "parity"
CORPUS: list[str] = json.loads((PARITY / "corpus.json").read_text(encoding="utf-8"))
ROUNDS = 20


def snippets(count: int) -> list[str]:
    """Realistic live notes: the corpus cycled, every 20th three joined (a thread)."""
    texts = [t for t in CORPUS if t.strip()]
    out = []
    for i in range(count):
        if i % 20 == 19:
            out.append("\n\n".join(texts[(i + k) % len(texts)] for k in range(3)))
        else:
            out.append(texts[i % len(texts)])
    return out


def bench_compose(count: int = 10_000) -> tuple[float, int, int]:
    from datetime import UTC, datetime

    talk = Talk(
        title="Red Flags for Police Misconduct",
        start=datetime(2026, 6, 3, 13, 0, tzinfo=UTC),
        end=datetime(2026, 6, 3, 13, 30, tzinfo=UTC),
        speakers=[Person("Dr Martin O'Neill"), Person("Dr Katarina Mozova")],
        id="red-flags",
    )
    context = build_context(
        event_name="CCPR Conference 2026",
        event_hashtags=["ccprconf26"],
        timezone="Europe/London",
        talk=talk,
    )
    items = snippets(count)
    posts = refused = 0
    started = time.perf_counter()
    for text in items:
        try:
            posts += len(
                compose(
                    text,
                    kind="snippet",
                    context=context,
                    event_hashtags=["ccprconf26"],
                    extra_hashtags=["PoliceMisconduct"],
                    langs=["en-GB"],
                    numbering=True,
                )
            )
        except LivepostError:  # a corpus string no post can hold: counted, not hidden
            refused += 1
    return time.perf_counter() - started, posts, refused


def bench_facets_python() -> float:
    for text in CORPUS:
        detect_facets(text)
    started = time.perf_counter_ns()
    for _ in range(ROUNDS):
        for text in CORPUS:
            detect_facets(text)
    return (time.perf_counter_ns() - started) / (ROUNDS * len(CORPUS))


def bench_facets_node() -> float | None:
    if not shutil.which("node"):
        return None
    if not (PARITY / "node_modules" / "@atproto" / "api").is_dir():
        subprocess.run(["npm", "ci"], cwd=PARITY, check=True, capture_output=True)
    done = subprocess.run(
        ["node", "facets.mjs", "--time", str(ROUNDS)],
        cwd=PARITY,
        input=json.dumps(CORPUS),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    return float(json.loads(done.stdout)["nsPerString"])


def main() -> None:
    compose_s, posts, refused = bench_compose()
    py_ns = bench_facets_python()
    node_ns = bench_facets_node()
    rows = [
        ("compose 10,000 snippets (template, tags, facets, split)", f"{compose_s:.3f} s", "< 1 s"),
        ("  posts produced", str(posts), ""),
        ("  snippets refused (no post can hold them)", str(refused), ""),
        ("  per snippet", f"{compose_s / 10_000 * 1e6:.1f} µs", ""),
        (f"facets, livepost (Python), {len(CORPUS)} strings", f"{py_ns / 1000:.2f} µs/string", ""),
    ]
    if node_ns is not None:
        rows.append(("facets, @atproto/api (Node)", f"{node_ns / 1000:.2f} µs/string", ""))
        rows.append(("  Node / Python", f"{node_ns / py_ns:.2f}x", ">= 1x"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>16}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>16}  {target}")


if __name__ == "__main__":
    main()
