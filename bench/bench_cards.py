"""Benchmark: time per card and memory over many cards in one process.

    .venv/bin/python bench/bench_cards.py [--cards 1000]

Renders every card kind in turn with varied titles (short, long, one long word, Greek, Polish),
encodes each (PNG or JPEG, whichever is smaller) and prints the median and 95th percentile time
per card, plus the process's resident memory after warm-up and at the end: it should stay flat
(caches are bounded). Then talk cards with Chinese, Japanese, Korean and Arabic text (shaped,
from the Debian Noto fonts) beside Latin ones. Target on the shared 2-core machine: under 80 ms
per card, for both.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from livepost.cards import CARD_KINDS, CardEvent, render_card
from livepost.model import Person, Talk


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc), not the peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


TITLES = [
    "Intro",
    "Reproducible research at scale: what twenty years of replication studies tell us",
    "Pneumonoultramicroscopicsilicovolcanoconiosisandhypertrophyx",
    "Η αναπαραγωγιμότητα στην έρευνα: μαθήματα από είκοσι χρόνια",
    "Otwarte dane i współdzielony kod: źródła, narzędzia, praktyka",
    "Panel: the future of peer review 🎉 in a world of preprints, registered reports and "
    "open review, with questions from the audience about incentives and careers",
]
PEOPLE = [
    Person("Ζωή Παπαδοπούλου", "Εθνικό και Καποδιστριακό Πανεπιστήμιο Αθηνών"),
    Person("Łukasz Żółkiewski", "Uniwersytet Jagielloński"),
    Person("Ada Lovelace", "Analytical Engines Ltd"),
]


def make_talk(i: int) -> Talk:
    start = datetime(2026, 6, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=15 * i)
    return Talk(
        f"{TITLES[i % len(TITLES)]} #{i}",
        start,
        start + timedelta(minutes=30),
        f"Room {i % 4 + 1}",
        PEOPLE[: i % 3 + 1],
    )


WORLD_TITLES = [
    "王小明 (Wang Xiaoming): 数据共享 and مقدمة إلى علم البيانات",
    "Keynote: محمد عبد الله on 開かれた科学 and 한국어 연구",
]
WORLD_PEOPLE = [
    Person("王小明 (Wang Xiaoming)", "北京大学"),
    Person("محمد عبد الله", "جامعة القاهرة"),
    Person("山田太郎", "東京大学"),
]
LATIN_PEOPLE = [PEOPLE[2], Person("Grace Hopper", "Harvard"), Person("Alan Turing", "Manchester")]


def talk_card_times(event: CardEvent, titles: list[str], people: list[Person], n: int) -> float:
    """Median ms of ``n`` talk cards with these titles and speakers (varied by a number)."""
    start = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    times = []
    for i in range(n + 10):
        title = f"{titles[i % len(titles)]} #{i}"
        talk = Talk(title, start, start + timedelta(minutes=30), "Room 1", people)
        t0 = time.perf_counter()
        render_card("talk", event=event, talk=talk)
        if i >= 10:  # the first ten warm up fonts and layouts
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    args = parser.parse_args()
    event = CardEvent("CCPR Conference 2026", "ccprconf26", "Europe/London")
    talks = [make_talk(i) for i in range(60)]

    def one(i: int) -> int:
        kind = CARD_KINDS[i % len(CARD_KINDS)]
        talk = talks[i % len(talks)]
        card = render_card(
            kind,
            event=event,
            talk=talk,
            talks=talks[i % 50 : i % 50 + 3],
            text=f"Quote number {i}: if it cannot be reproduced, it is an anecdote.",
        )
        return len(card.data)

    for i in range(20):  # warm-up: fonts opened, layouts parsed
        one(i)
    rss_start = rss_mb()
    times: list[float] = []
    sizes: list[int] = []
    rss_marks: list[float] = []
    for i in range(args.cards):
        t0 = time.perf_counter()
        sizes.append(one(i))
        times.append((time.perf_counter() - t0) * 1000)
        if (i + 1) % max(1, args.cards // 5) == 0:
            rss_marks.append(rss_mb())
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"cards rendered:       {args.cards} ({', '.join(CARD_KINDS)} in turn)")
    print(
        f"time per card:        median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"mean {statistics.fmean(times):.1f} ms, max {times[-1]:.1f} ms"
    )
    print(
        f"encoded size:         median {statistics.median(sizes) / 1024:.0f} KiB, "
        f"max {max(sizes) / 1024:.0f} KiB"
    )
    marks = ", ".join(f"{m:.0f}" for m in rss_marks)
    print(f"RSS after warm-up:    {rss_start:.0f} MB; every {args.cards // 5} cards: {marks} MB")
    print(f"RSS growth:           {rss_marks[-1] - rss_start:+.1f} MB over {args.cards} cards")
    n = max(20, args.cards // 10)
    latin = talk_card_times(event, TITLES[:2], LATIN_PEOPLE, n)
    world = talk_card_times(event, WORLD_TITLES, WORLD_PEOPLE, n)
    print(f"talk card, median:    Latin {latin:.1f} ms, CJK + Arabic {world:.1f} ms ({n} each)")


if __name__ == "__main__":
    main()
