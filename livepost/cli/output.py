"""Terminal rendering shared by commands (rich is imported only when something is printed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from livepost.model import Talk

if TYPE_CHECKING:
    from livepost.compose.compose import ComposedPost


def talk_table(talks: list[Talk], zone: ZoneInfo) -> None:
    """Print talks as a table grouped by day, in the event's local time."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    with_rooms = any(t.room for t in talks)  # a one-room programme needs no room column
    current_day = None
    table: Table | None = None
    for talk in talks:
        start, end = talk.start.astimezone(zone), talk.end.astimezone(zone)
        if start.date() != current_day:
            if table is not None:
                console.print(table)
            current_day = start.date()
            table = Table(title=f"{start:%A %d %B %Y} ({zone.key})", title_justify="left")
            table.add_column("time", no_wrap=True)
            if with_rooms:
                table.add_column("room", max_width=18)
            table.add_column("id", no_wrap=True)
            table.add_column("title", ratio=3)
            table.add_column("speakers", ratio=2)
        assert table is not None
        title = talk.title if talk.kind == "talk" else f"[dim]{talk.title}[/dim]"
        if talk.withdrawn:
            title = f"[strike]{talk.title}[/strike] (withdrawn)"
        cells = [f"{start:%H:%M}-{end:%H:%M}", talk.room or "", talk.id, title]
        cells.append(", ".join(p.name for p in talk.speakers))
        table.add_row(*(cells if with_rooms else cells[:1] + cells[2:]))
    if table is not None:
        console.print(table)


_FACET_STYLE = {"tag": "bold cyan", "link": "underline blue", "mention": "bold magenta"}


def print_posts(posts: Sequence[ComposedPost], title: str | None = None) -> None:
    """Print posts as they will appear: facets highlighted, a grapheme bar, thread numbering."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    from livepost.compose.text import MAX_GRAPHEMES

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
