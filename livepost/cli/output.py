"""Terminal rendering shared by commands (rich is imported only when something is printed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from livepost.model import Talk

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

    from livepost.app.text import ComposedPost


#: the narrowest title and speakers columns worth a column each; below that, one "talk" column
_WIDE_TITLE, _WIDE_SPEAKERS, _ROOM = 30, 20, 18


def talk_table(talks: list[Talk], zone: ZoneInfo, console: Console | None = None) -> None:
    """Print talks as a table grouped by day, in the event's local time.

    Ids are never cut and titles wrap rather than vanish: when the terminal is too narrow for a
    column each (80 columns, say), the id, title and speakers share one "talk" column, one under
    the other; the room keeps a narrow column of its own only if there is space for it, and the
    end time goes before an id would be folded.
    """
    from rich.console import Console, Group
    from rich.markup import escape

    console = console or Console()
    with_rooms = any(t.room for t in talks)  # a one-room programme needs no room column
    id_width = max((len(t.id) for t in talks), default=2)
    columns = 5 if with_rooms else 4
    wide = console.width >= 3 * columns + 1 + 11 + id_width + _WIDE_TITLE + _WIDE_SPEAKERS + (
        _ROOM if with_rooms else 0
    )
    # one narrow room column beside "talk" only if the ids still fit in full
    room_column = with_rooms and console.width >= 10 + 11 + id_width + 10
    # narrower still: the start time alone, so that the ids fit
    start_only = console.width < 7 + 11 + id_width
    current_day = None
    table: Table | None = None
    for talk in talks:
        start, end = talk.start.astimezone(zone), talk.end.astimezone(zone)
        if start.date() != current_day:
            if table is not None:
                console.print(table)
            current_day = start.date()
            table = _day_table(f"{start:%A %d %B %Y} ({zone.key})", wide, with_rooms, room_column)
        assert table is not None
        title = escape(talk.title) if talk.kind == "talk" else f"[dim]{escape(talk.title)}[/dim]"
        if talk.withdrawn:
            title = f"[strike]{escape(talk.title)}[/strike] (withdrawn)"
        speakers = escape(", ".join(p.name for p in talk.speakers))
        when = f"{start:%H:%M}" if start_only else f"{start:%H:%M}-{end:%H:%M}"
        if wide:
            room = escape(talk.room or "")
            cells: list[RenderableType] = [when, room, escape(talk.id), _fold(title), speakers]
            table.add_row(*(cells if with_rooms else cells[:2] + cells[3:]))
            continue
        lines = [_fold(f"[bold]{escape(talk.id)}[/bold]"), _fold(title)]
        below = [speakers] if room_column else [escape(talk.room or ""), speakers]
        if any(below):
            lines.append(_fold(f"[dim]{' · '.join(b for b in below if b)}[/dim]"))
        row: list[RenderableType] = [when, Group(*lines)]
        if room_column:
            row.append(escape(talk.room or ""))
        table.add_row(*row)
    if table is not None:
        console.print(table)


def _day_table(title: str, wide: bool, with_rooms: bool, room_column: bool) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("time", no_wrap=True)
    if wide:
        if with_rooms:
            table.add_column("room", max_width=_ROOM)
        table.add_column("id", no_wrap=True)
        table.add_column("title", ratio=3, overflow="fold")
        table.add_column("speakers", ratio=2, overflow="fold")
    else:
        table.add_column("talk", overflow="fold")
        if room_column:
            table.add_column("room", max_width=14, overflow="fold")
    return table


def _fold(markup: str) -> Text:
    """A cell's text that wraps at spaces and folds a long word, never ending in an ellipsis."""
    from rich.text import Text

    made = Text.from_markup(markup)
    made.overflow = "fold"
    return made


_FACET_STYLE = {"tag": "bold cyan", "link": "underline blue", "mention": "bold magenta"}


def print_posts(posts: Sequence[ComposedPost], title: str | None = None) -> None:
    """Print posts as they will appear: facets highlighted, a grapheme bar, thread numbering."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    from livepost.app.text import MAX_GRAPHEMES

    console = Console()
    total = len(posts)
    for number, post in enumerate(posts, 1):
        encoded = post.text.encode("utf-8")
        text = Text()
        cursor = 0
        for facet in sorted(post.facets, key=lambda f: f.byte_start):
            text.append(encoded[cursor : facet.byte_start].decode("utf-8"))
            text.append(
                encoded[facet.byte_start : facet.byte_end].decode("utf-8"),
                style=_FACET_STYLE.get(facet.type, ""),
            )
            cursor = facet.byte_end
        text.append(encoded[cursor:].decode("utf-8"))
        filled = round(20 * post.graphemes / MAX_GRAPHEMES)
        bar = "█" * filled + "░" * (20 - filled)
        heading = f"{title + ' · ' if title else ''}post {number}/{total}" if total > 1 else title
        console.print(
            Panel(
                text,
                title=heading,
                title_align="left",
                subtitle=f"{bar} {post.graphemes}/{MAX_GRAPHEMES} graphemes · {post.bytes} bytes",
                subtitle_align="right",
            )
        )
        if post.tags:
            console.print(f"  record tags: {' '.join('#' + t for t in post.tags)}")
