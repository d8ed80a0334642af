"""The programme, for every front end: import it (an officer), read it (anyone on the team).

``livepost schedule import|show`` parse their flags into these calls and print what comes back;
the check of who may do it comes first, before any file is read or any row touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure
from livepost.model import Talk


@dataclass
class ProgrammeChanges:
    """What an import did, ready to print: the source, the format, what was added, changed (in
    words, in the event's time) and withdrawn. ``not_modified``: a followed URL had not changed."""

    source: str
    not_modified: bool = False
    format: str = ""
    talks: int = 0
    notes: list[str] = field(default_factory=list)
    added: list[Talk] = field(default_factory=list)
    changed: list[tuple[Talk, list[str]]] = field(default_factory=list)
    withdrawn: list[Talk] = field(default_factory=list)
    unchanged: int = 0


class Programme(EventScope):
    """The event's programme as one person asks of it."""

    def import_(
        self,
        source: str | Path | None = None,
        *,
        format_name: str = "auto",
        day: date | None = None,
        columns: dict[str, str] | None = None,
        allow_withdraw: bool = False,
    ) -> ProgrammeChanges:
        """Read ``source`` (default: the ``schedule`` setting) into the event; safe to repeat."""
        ensure(self.actor, Action.PROGRAMME)
        from livepost.schedule.changes import describe_change
        from livepost.schedule.importer import import_programme

        done = import_programme(
            self.settings,
            self.engine,
            source,
            format_name=format_name,
            day=day,
            columns=columns or {},
            allow_withdraw=allow_withdraw,
        )
        if done.not_modified or done.schedule is None:
            return ProgrammeChanges(done.source, not_modified=True)
        schedule, report = done.schedule, done.report
        changed: list[tuple[Talk, list[str]]] = []
        for talk, fields in report.changed:
            old = report.previous.get(talk.id)
            phrases = describe_change(old, talk, fields, self.zone) if old else [", ".join(fields)]
            changed.append((talk, phrases))
        self._audit_import(done.source, len(schedule.talks))
        return ProgrammeChanges(
            source=done.source,
            format=schedule.format,
            talks=len(schedule.talks),
            notes=list(schedule.notes),
            added=list(report.added),
            changed=changed,
            withdrawn=list(report.withdrawn),
            unchanged=report.unchanged,
        )

    def _audit_import(self, source: str, talks: int) -> None:
        with self.session() as (session, event):
            self.audit(session, event, "programme.import", source, f"{talks} items")

    def talks(self, *, include_withdrawn: bool = False, day: date | None = None) -> list[Talk]:
        """The imported talks (withdrawn ones too when asked), of one day (event time) if given."""
        ensure(self.actor, Action.READ)
        from livepost.schedule.current import stored_talks

        talks = stored_talks(self.settings, self.engine, include_withdrawn=include_withdrawn)
        if day is not None:
            talks = [t for t in talks if t.start.astimezone(self.zone).date() == day]
        return talks

    def current(self) -> list[Talk]:
        """The stored talks, or the configured programme file read on the fly before an import."""
        ensure(self.actor, Action.READ)
        from livepost.schedule.current import current_talks

        return current_talks(self.settings, self.engine)
