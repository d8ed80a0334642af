"""Export the archive: ``csv``, ``json``, ``md`` or ``html``, the whole event or one talk.

:func:`export` reads the archive once into a :class:`~livepost.export.report.Report` and hands
it to the writer of the format; the file appears only when it is complete (written beside it,
then renamed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from livepost.errors import InputError
from livepost.export.report import load_report
from livepost.model.ids import closest_ids
from livepost.store.engine import session_scope
from livepost.store.output import atomic_output
from livepost.store.talks import load_talks

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from livepost.export.report import Report

FORMATS = ("csv", "json", "md", "html")


def write_report(report: Report, fmt: str, out: Path, template_dirs: Sequence[Path] = ()) -> Path:
    """Write ``report`` as ``fmt`` to ``out`` (all or nothing)."""
    if fmt not in FORMATS:
        raise InputError(
            "--format", f"unknown format {fmt!r}", hint=f"Use one of: {', '.join(FORMATS)}"
        )
    with atomic_output(out) as stream:
        if fmt == "csv":
            from livepost.export import csv_format

            csv_format.write(report, stream)
        elif fmt == "json":
            from livepost.export import json_format

            json_format.write(report, stream)
        elif fmt == "md":
            from livepost.export import markdown

            markdown.write(report, stream)
        else:
            from livepost.export import html

            html.write(report, stream, template_dirs)
    return out


def export(
    engine: Engine,
    event_key: str,
    fmt: str,
    out: Path,
    *,
    hashtags: Sequence[str] = (),
    talk_id: str | None = None,
    our_handle: str | None = None,
    template_dirs: Sequence[Path] = (),
    now: datetime | None = None,
) -> Report:
    """Read the archive of ``event_key`` and write it to ``out``; returns what was written."""

    if fmt not in FORMATS:
        raise InputError(
            "--format", f"unknown format {fmt!r}", hint=f"Use one of: {', '.join(FORMATS)}"
        )
    report = load_report(
        engine, event_key, hashtags=hashtags, talk_id=talk_id, our_handle=our_handle, now=now
    )
    if talk_id is not None and not report.talks:
        with session_scope(engine) as session:
            ids = [t.id for t in load_talks(session, event_key)]
        close = closest_ids(talk_id, ids)
        suggestion = f"Did you mean: {', '.join(close[:3])}? " if close else ""
        raise InputError(
            "--talk",
            f"no talk with id {talk_id!r}",
            hint=f"{suggestion}See the ids with: livepost schedule show",
        )
    write_report(report, fmt, out, template_dirs)
    return report
