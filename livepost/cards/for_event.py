"""Cards for an event folder: settings, the event's own templates and assets, the right talks.

The one place that turns livepost.toml's ``[cards]`` and the programme into the arguments of
:func:`livepost.cards.render_card`, shared by ``livepost card``, ``preview --out`` and the
publisher (which renders a post's card at send time, from ``{"card": {"kind", "talk_id"}}``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livepost.errors import ConfigError, LivepostError, OutputError
from livepost.model import Talk
from livepost.model.ids import closest_ids
from livepost.store.output import write_bytes

if TYPE_CHECKING:
    from livepost.cards import Card, CardEvent
    from livepost.cards.coverage import MissingGlyphs
    from livepost.config import Settings


def card_event(settings: Settings) -> CardEvent:
    from livepost.cards import CardEvent

    logo = settings.event_dir / settings.cards.logo if settings.cards.logo else None
    if logo is not None and not logo.is_file():
        raise ConfigError(
            f"livepost.toml: cards.logo: {logo} does not exist",
            hint="Put the logo in the event folder or remove the setting.",
        )
    return CardEvent(
        name=settings.event.name,
        hashtag=settings.event.hashtags[0] if settings.event.hashtags else None,
        timezone=settings.event.timezone,
        logo=logo,
    )


def card_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of ``render_card``/``card_alt`` that come from the settings."""
    folder = settings.event_dir
    return {
        "theme": settings.cards.theme,
        "size": (settings.cards.width, settings.cards.height),
        "template_dirs": [folder / "templates"] if (folder / "templates").is_dir() else [],
        "asset_dirs": [folder / "assets"] if (folder / "assets").is_dir() else [],
    }


def next_talks(talks: Sequence[Talk], after: Talk, count: int = 3) -> list[Talk]:
    """``after`` and the talks that follow it in its room (else the day), for an "up next" card."""
    day = after.start.date()
    later = [
        t
        for t in talks
        if t.kind == "talk" and not t.withdrawn and t.start >= after.start and t.start.date() == day
    ]
    same_room = [t for t in later if t.room == after.room]
    return (same_room if len(same_room) > 1 else later)[:count]


def render_event_card(
    settings: Settings,
    talks: Sequence[Talk],
    talk_id: str | None,
    *,
    kind: str = "talk",
    text: str | None = None,
    alt: str | None = None,
) -> Card:
    """Draw one card of ``kind`` for a talk of the event (or, for ``wrapup``, the whole event)."""
    from livepost.cards import render_card

    talk = next((t for t in talks if t.id == talk_id), None) if talk_id else None
    if talk_id and talk is None:
        close = closest_ids(talk_id, [t.id for t in talks])
        raise ConfigError(
            f"no talk with id {talk_id!r}",
            hint=(f"Did you mean: {', '.join(close)}? " if close else "")
            + "See the ids with: livepost schedule show",
        )
    chosen: list[Talk] = []
    if kind == "next" and talk is not None:
        chosen = next_talks(talks, talk)
    elif kind == "wrapup":
        chosen = [t for t in talks if not t.withdrawn]
    return render_card(
        kind,
        event=card_event(settings),
        talk=talk,
        talks=chosen,
        text=text,
        alt=alt,
        **card_options(settings),
    )


def write_card(card: Card, out: Path) -> Path:
    """Write ``card`` to ``out``; the extension follows the format actually chosen (PNG/JPEG)."""
    target = out if out.suffix.lower() == card.extension else out.with_suffix(card.extension)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the folder {target.parent}: {exc.strerror or exc}",
            hint="Choose another path with --out.",
        ) from exc
    return write_bytes(target, card.data)


def talk_card_gaps(settings: Settings, talk: Talk) -> list[MissingGlyphs]:
    """The texts of ``talk`` its card would leave out: no font here has some of their
    characters (checked against the talk layout's fonts and the machine's fallbacks)."""
    from livepost.cards.coverage import card_text_gaps
    from livepost.cards.resources import card_template_dirs, font_dirs, resolve_font
    from livepost.cards.spec import load_spec

    options = card_options(settings)
    spec, path = load_spec("talk", card_template_dirs(options["template_dirs"]), options["size"])
    dirs = font_dirs(options["asset_dirs"])
    chains = [
        [resolve_font(name, dirs, path, f"fonts.{weight}.{i}") for i, name in enumerate(names)]
        for weight, names in (("regular", spec.fonts.regular), ("bold", spec.fonts.bold))
    ]
    texts = [("title", talk.title), ("room", talk.room or "")]
    for person in talk.speakers:
        texts.append(("speaker", person.name))
        texts.append(("affiliation", person.affiliation or ""))
    return card_text_gaps(texts, chains)


def card_font_problems(settings: Settings, talks: Sequence[Talk]) -> list[str]:
    """One message per text a talk card would leave out, naming the talk, the text, the
    characters and the font package to install; for ``notes check``, ``plan``, ``preview`` and
    ``doctor`` (the console's checks)."""
    problems = []
    try:
        for talk in talks:
            if talk.kind != "talk" or talk.withdrawn:
                continue
            for gap in talk_card_gaps(settings, talk):
                problems.append(
                    f"talk {talk.id}: its card leaves out the {gap.element}: {gap.describe()}"
                )
    except LivepostError as exc:  # a broken layout or font file: said once, the rest goes on
        problems.append(f"cards: {exc.message}")
    return problems
