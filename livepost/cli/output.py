"""Terminal rendering shared by commands (rich is imported only when something is printed)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from livepost.model import Talk


def talk_table(talks: list[Talk], zone: ZoneInfo) -> None:
    """Print talks as a table grouped by day, in the event's local time."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
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
            table.add_column("room", max_width=18)
            table.add_column("id", no_wrap=True)
            table.add_column("title", ratio=3)
            table.add_column("speakers", ratio=2)
        assert table is not None
        title = talk.title if talk.kind == "talk" else f"[dim]{talk.title}[/dim]"
        if talk.withdrawn:
            title = f"[strike]{talk.title}[/strike] (withdrawn)"
        table.add_row(
            f"{start:%H:%M}-{end:%H:%M}",
            talk.room or "",
            talk.id,
            title,
            ", ".join(p.name for p in talk.speakers),
        )
    if table is not None:
        console.print(table)
