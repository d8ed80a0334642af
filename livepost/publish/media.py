"""Where an event's media come from at send time: images relative to the event folder, talk
cards drawn from the programme with the event's ``[cards]`` settings, and (when posting for real)
link cards. One definition for the daemon, the web console's sends and the tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from livepost.cards.for_event import render_event_card
from livepost.publish.records import ImageLike, Media

if TYPE_CHECKING:
    from livepost.config import Settings
    from livepost.model import Talk


def event_media(
    settings: Settings, talks: Callable[[], list[Talk]], *, link_cards: bool = True
) -> Media:
    """The event's :class:`Media`; ``talks`` is asked for the programme when a card is drawn."""

    def render(spec: dict[str, Any]) -> tuple[ImageLike, str]:
        card = render_event_card(
            settings,
            talks(),
            spec.get("talk_id"),
            kind=str(spec.get("kind", "talk")),
            text=spec.get("text"),
            alt=spec.get("alt"),
        )
        return card, card.alt

    return Media(base_dir=settings.event_dir, card_renderer=render, link_cards=link_cards)
