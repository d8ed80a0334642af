"""Image cards for every front end: ``livepost card`` and ``preview --out``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from livepost.app.context import EventScope
from livepost.app.permissions import Action, ensure


@dataclass(frozen=True)
class DrawnCard:
    """A card written to disk: where (the format may have changed the suffix), size, alt text."""

    path: Path
    width: int
    height: int
    mime: str
    size: int
    alt: str


class Cards(EventScope):
    """The event's cards, drawn from the programme as it stands."""

    def draw(
        self,
        talk_id: str | None,
        out: Path,
        *,
        kind: str = "talk",
        text: str | None = None,
        alt: str | None = None,
    ) -> DrawnCard:
        """Draw one card and write it to ``out`` (PNG, or JPEG when that is smaller)."""
        ensure(self.actor, Action.READ)
        from livepost.cards.for_event import render_event_card, write_card
        from livepost.schedule.current import current_talks

        talks = current_talks(self.settings, self.engine)
        card = render_event_card(self.settings, talks, talk_id, kind=kind, text=text, alt=alt)
        written = write_card(card, out)
        return DrawnCard(written, card.width, card.height, card.mime, len(card.data), card.alt)
