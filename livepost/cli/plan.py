"""``livepost plan`` (the timeline, written into the queue) and ``livepost preview``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from livepost.cli.state import CliState

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from livepost.plan.planner import PlannedPost
    from livepost.store.models import OutboxRow


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
) -> None:
    """Plan the event's posts into the queue and show the timeline, with warnings.

    Safe to run again at any time: posts already sent are never touched, edited posts keep the
    officer's changes, a moved talk moves its unsent posts, a withdrawn talk's are cancelled.
    """
    from livepost.outbox.queries import list_posts
    from livepost.outbox.timeline import plan_warnings, post_json
    from livepost.plan.sync import replan
    from livepost.store.engine import session_scope
    from livepost.store.models import utc_now
    from livepost.store.talks import load_event, load_talks

    state: CliState = ctx.obj
    settings = state.settings()
    engine = state.engine()
    zone = settings.zone
    wanted = _day(day)
    now = utc_now()
    result, report = replan(engine, settings, now)
    with session_scope(engine) as session:
        event = load_event(session, settings.event_key)
        rows = list_posts(session, event)
        talks = load_talks(session, settings.event_key)
        held = [p.key for p in result.posts if p.held]
        warnings = [
            *result.problems,
            *plan_warnings(
                rows,
                talks,
                now,
                zone=zone,
                grace_minutes=settings.plan.grace_minutes,
                held=held,
            ),
        ]
        if wanted is not None:
            rows = [r for r in rows if r.due_at.astimezone(zone).date() == wanted]
        if as_json:
            typer.echo(json.dumps([post_json(r, zone) for r in rows], indent=2, ensure_ascii=False))
            for warning in warnings:
                typer.echo(f"warning: {warning}", err=True)
            return
        lines = _timeline(rows, zone)
    if not lines:
        typer.echo("Nothing planned. Import the programme first: livepost schedule import")
    for line in lines:
        typer.echo(line)
    typer.echo(
        f"Queue: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.moved)} moved, {len(report.cancelled)} cancelled, "
        f"{len(report.revived)} restored."
    )
    for key, why in report.cancelled:
        typer.echo(f"  cancelled {key}: {why}")
    for key in report.stale:
        typer.echo(f"warning: {key} was edited in the notes after it was sent; not posted again.")
    for warning in warnings:
        typer.echo(f"warning: {warning}")


def _timeline(rows: list[OutboxRow], zone: ZoneInfo) -> list[str]:
    lines: list[str] = []
    current: date | None = None
    for row in rows:
        local = row.due_at.astimezone(zone)
        if local.date() != current:
            current = local.date()
            lines.append(f"{local:%A %d %B %Y} ({zone.key})")
        text = " ".join(row.text.split())
        if len(text) > 70:
            text = text[:69] + "…"
        marks = (" [card]" if (row.embed or {}).get("card") else "") + (
            " [edited]" if row.edited else ""
        )
        reply = "  ↳ " if row.parent_id else ""
        lines.append(
            f"  {local:%H:%M:%S}  {row.state:<9} #{row.id:<4} {reply}{row.key}: {text}{marks}"
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
    from livepost.notes import load_notes
    from livepost.plan.planner import build_plan
    from livepost.store.programme import current_talks, find_talk

    state: CliState = ctx.obj
    settings = state.settings()
    engine = state.engine()
    talks = current_talks(settings, engine)
    if talk_id is not None:
        find_talk(settings, engine, talk_id)  # a clear error for an unknown id
    result = build_plan(settings, talks, load_notes(settings.notes_dir))
    posts = [p for p in result.posts if talk_id is None or p.talk_id == talk_id]
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
    for problem in result.problems:
        typer.echo(f"warning: {problem}")
    if out is not None:
        from livepost.cards.for_event import render_event_card, write_card

        for post in posts:
            card = (post.embed or {}).get("card")
            if not card:
                continue
            made = render_event_card(
                settings, talks, card.get("talk_id"), kind=card.get("kind", "talk")
            )
            path = write_card(made, out / f"{card.get('talk_id')}.png")
            typer.echo(f"card: {path}")
    typer.echo(f"{len(posts)} planned posts.")


def _threads(posts: list[PlannedPost]) -> list[list[PlannedPost]]:
    """Consecutive parts of one snippet (``key``, ``key#2``...) grouped together."""
    groups: dict[str, list[PlannedPost]] = {}
    for post in posts:
        groups.setdefault(post.key.split("#")[0], []).append(post)
    return list(groups.values())
