"""``livepost notes check``: what is wrong in the note taker's files, and fonts that cannot draw
a talk's card."""

from __future__ import annotations

from dataclasses import dataclass, field

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure


@dataclass
class NotesCheck:
    """Problems in the notes (each a line), font warnings, and how many snippets were read."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    snippets: int = 0
    files: int = 0


def check_event_notes(scope: EventScope) -> NotesCheck:
    """Unknown talk ids, missing or unreadable images, missing alt text, snippets to split."""
    ensure(scope.actor, Action.READ)
    from livepost.cards.for_event import card_font_problems
    from livepost.notes import check_notes, load_notes
    from livepost.schedule.current import current_talks

    settings = scope.settings
    talks = current_talks(settings, scope.engine)
    tag_room = sum(len(f" #{tag}") for tag in settings.event.hashtags[:1])
    problems = check_notes(settings.notes_dir, {t.id for t in talks}, max_graphemes=300 - tag_room)
    snippets = load_notes(settings.notes_dir) if settings.notes_dir.is_dir() else {}
    return NotesCheck(
        problems=[str(p) for p in problems],
        warnings=list(card_font_problems(settings, talks)),
        snippets=sum(len(s) for s in snippets.values()),
        files=len(snippets),
    )
