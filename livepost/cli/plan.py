"""``livepost plan`` (the timeline, written into the queue) and ``livepost preview``."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from livepost.cli.state import CliState

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from livepost.app.plan import PlannedPost


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD") from None


def plan_command(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the planned posts as JSON.")
    ] = False,
    day: Annotated[
        str | None,
        typer.Option("--day", help="Only this day (YYYY-MM-DD, event time).", show_default=False),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Plan and show the timeline without writing anything into the queue."
        ),
    ] = False,
) -> None:
    """Plan the event's posts into the queue and show the timeline, with warnings.

    Safe to run again at any time: posts already sent are never touched, edited posts keep the
    officer's changes, a moved talk moves its unsent posts, a withdrawn talk's are cancelled.
    """
    state: CliState = ctx.obj
    zone = state.settings().zone
    planned = state.app().planner.plan(_day(day), dry_run=dry_run)
    report, warnings = planned.report, planned.warnings
    if as_json:
        typer.echo(json.dumps(planned.posts, indent=2, ensure_ascii=False))
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)
        return
    lines = _timeline(planned.posts, zone)
    if not lines:
        typer.echo("Nothing planned. Import the programme first: livepost schedule import")
    for line in lines:
        typer.echo(line)
    typer.echo(
        ("Queue (dry run, nothing written): " if dry_run else "Queue: ")
        + f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.moved)} moved, {len(report.cancelled)} cancelled, "
        f"{len(report.revived)} restored."
    )
    for key, why in report.cancelled:
        typer.echo(f"  cancelled {key}: {why}")
    for key in report.stale:
        typer.echo(f"warning: {key} was edited in the notes after it was sent; not posted again.")
    for warning in warnings:
        typer.echo(f"warning: {warning}")


def _timeline(posts: list[dict[str, Any]], zone: ZoneInfo) -> list[str]:
    from livepost.model.posts import PostState

    lines: list[str] = []
    current: date | None = None
    for post in posts:
        local = datetime.fromisoformat(post["at"]).astimezone(zone)
        if local.date() != current:
            current = local.date()
            lines.append(f"{local:%A %d %B %Y} ({zone.key})")
        text = " ".join(str(post["text"]).split())
        if len(text) > 70:
            text = text[:69] + "…"
        marks = (" [card]" if post["card"] else "") + (" [edited]" if post["edited"] else "")
        reply = "  ↳ " if post["parent"] else ""
        state = PostState(post["state"])
        lines.append(
            f"  {local:%H:%M:%S}  {state.value:<9} #{post['id']:<4} {reply}{post['key']}: "
            f"{text}{marks}"
        )
    return lines


def preview_command(
    ctx: typer.Context,
    talk_id: Annotated[
        str | None,
        typer.Option("--talk", help="Only this talk's posts.", show_default=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Also write every planned card into this folder.", show_default=False
        ),
    ] = None,
) -> None:
    """Show every planned post as it will look (facets, length, threads); nothing is queued."""
    from livepost.cli.output import print_posts

    state: CliState = ctx.obj
    settings = state.settings()
    planner = state.app().planner
    preview = planner.preview(talk_id)
    posts = preview.posts
    zone = settings.zone
    for group in _threads(posts):
        first = group[0]
        title = f"{first.at.astimezone(zone):%a %H:%M} · {first.key.split('#')[0]}"
        if first.parent_key:
            title += f" · reply to {first.parent_key}"
        print_posts([p.composed for p in group if p.composed is not None], title=title)
        embed = first.embed or {}
        if embed.get("card"):
            typer.echo(f"  card: {embed['card'].get('alt', '')}")
        for image in embed.get("images") or []:
            typer.echo(f"  image: {image['path']} (alt: {image['alt'] or 'MISSING'})")
        if first.held:
            typer.echo("  held: still being written (no blank line after it yet)")
    for problem in preview.problems:
        typer.echo(f"warning: {problem}")
    if out is not None:
        for path in planner.write_cards(preview, out):
            typer.echo(f"card: {path}")
    typer.echo(f"{len(posts)} planned posts.")


def _threads(posts: list[PlannedPost]) -> list[list[PlannedPost]]:
    """Consecutive parts of one snippet (``key``, ``key#2``...) grouped together."""
    groups: dict[str, list[PlannedPost]] = {}
    for post in posts:
        groups.setdefault(post.key.split("#")[0], []).append(post)
    return list(groups.values())
