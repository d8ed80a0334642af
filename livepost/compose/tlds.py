"""Top-level domains the official client accepts for scheme-less links and for mentions.

``tlds.txt`` is the npm package ``tlds`` at the version ``@atproto/api`` resolves to in
``tests/parity/package-lock.json``; ``tests/compose/test_parity.py`` checks the two lists are equal.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def tlds() -> frozenset[str]:
    """The known top-level domains (lower case, IDN ones in Unicode)."""
    text = files("livepost.compose").joinpath("tlds.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def tlds_version() -> str:
    """The ``tlds`` npm version the list was taken from."""
    text = files("livepost.compose").joinpath("tlds.txt").read_text(encoding="utf-8")
    return text.split("\n", 1)[0].split()[2]
