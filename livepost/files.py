"""Which files livepost reads for an event: images come from inside the event folder only.

A notes image ``../../outside/photo.jpg``, an absolute path or a symlink pointing elsewhere would
otherwise be read and uploaded publicly. :func:`event_file` resolves a path (``..`` removed,
symlinks followed) and checks it lies inside the event folder *before* anything opens it;
``notes check``, the planner, ``queue --image`` and the publisher at send time all call it.
"""

from __future__ import annotations

from pathlib import Path

from livepost.errors import InputError

OUTSIDE = "is outside the event folder"
OUTSIDE_HINT = "Copy the image into the event folder (e.g. notes/img/) and link that copy."


def event_file(path: Path, event_dir: Path) -> Path:
    """``path`` resolved, or an :class:`InputError` when it is outside ``event_dir``.

    Relative paths are taken as they are (the caller joins them to their folder first); read
    the returned path, which holds no symlink left to swap.
    """
    try:
        resolved = path.resolve()
        root = event_dir.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise InputError(path, f"cannot be resolved ({exc})") from exc
    if root not in resolved.parents:
        raise InputError(path, f"{OUTSIDE} ({root})", hint=OUTSIDE_HINT)
    return resolved
