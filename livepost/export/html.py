"""``--format html``: one self-contained page (inline CSS, inline SVG charts, no scripts, no
fonts or images from the network) that prints well and reads on a phone.

Rendered with Jinja2 from ``templates/report/report.html.j2`` (an event's own ``templates/``
folder may override it) with autoescaping on: every piece of user text is escaped. A Content
Security Policy in the page forbids scripts even if something slipped through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import jinja2

from livepost.export.bidi import balance_bidi, bdi
from livepost.export.report import Report
from livepost.resources import template_environment

TEMPLATE = "report/report.html.j2"
CHART_WIDTH = 640
CHART_HEIGHT = 160
_PAD_LEFT = 36
_PAD_BOTTOM = 22


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str  # "ours" | "community" | "engagement"
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str = "start"  # SVG text-anchor: the last label ends at its tick


@dataclass(frozen=True)
class Chart:
    """Geometry of one inline SVG chart (the template only draws it)."""

    title: str
    bars: list[Bar]
    points: str  # polyline "x,y x,y" or ""
    ticks: list[Tick]
    top_label: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT

    @property
    def baseline(self) -> float:
        return self.height - _PAD_BOTTOM


def _ticks(moments: Sequence[datetime], xs: Sequence[float], zone: ZoneInfo) -> list[Tick]:
    if not moments:
        return []
    picks = sorted({0, len(moments) // 2, len(moments) - 1})
    same_day = moments[0].astimezone(zone).date() == moments[-1].astimezone(zone).date()
    fmt = "%H:%M" if same_day else "%d %b %H:%M"
    last = len(moments) - 1
    return [
        Tick(
            xs[i],
            moments[i].astimezone(zone).strftime(fmt),
            "end" if i == last and i else "middle" if i else "start",
        )
        for i in picks
    ]


def charts(report: Report) -> list[Chart]:
    """Posts per bucket (ours and the community's stacked), interactions by posting time, and
    interactions after each sync."""
    zone = ZoneInfo(report.timezone)
    out: list[Chart] = []
    buckets = report.buckets
    plot_w = CHART_WIDTH - _PAD_LEFT - 4
    plot_h = CHART_HEIGHT - _PAD_BOTTOM - 8
    base = CHART_HEIGHT - _PAD_BOTTOM
    if buckets:
        step = plot_w / len(buckets)
        width = max(step * 0.8, 0.5)
        xs = [_PAD_LEFT + i * step for i in range(len(buckets))]
        most = max((b.ours + b.community for b in buckets), default=0) or 1
        bars: list[Bar] = []
        for x, b in zip(xs, buckets, strict=True):
            when = b.start.astimezone(zone).strftime("%H:%M")
            h_ours = plot_h * b.ours / most
            h_comm = plot_h * b.community / most
            if b.ours:
                bars.append(Bar(x, base - h_ours, width, h_ours, "ours", f"{when}: {b.ours} ours"))
            if b.community:
                bars.append(
                    Bar(
                        x,
                        base - h_ours - h_comm,
                        width,
                        h_comm,
                        "community",
                        f"{when}: {b.community} community",
                    )
                )
        out.append(
            Chart(
                f"Posts per {report.bucket_minutes} minutes",
                bars,
                "",
                _ticks([b.start for b in buckets], xs, zone),
                str(most),
            )
        )
        most = max((b.engagement for b in buckets), default=0) or 1
        bars = [
            Bar(
                x,
                base - plot_h * b.engagement / most,
                width,
                plot_h * b.engagement / most,
                "engagement",
                f"{b.start.astimezone(zone).strftime('%H:%M')}: {b.engagement} interactions",
            )
            for x, b in zip(xs, buckets, strict=True)
            if b.engagement
        ]
        out.append(
            Chart(
                "Interactions with the posts of each period",
                bars,
                "",
                _ticks([b.start for b in buckets], xs, zone),
                str(most),
            )
        )
    history = report.history
    if len(history) >= 2:
        first, last = history[0][0], history[-1][0]
        span = (last - first).total_seconds() or 1.0
        most = max(n for _, n in history) or 1
        xs = [_PAD_LEFT + plot_w * (t - first).total_seconds() / span for t, _ in history]
        points = " ".join(
            f"{x:.1f},{base - plot_h * n / most:.1f}" for x, (_, n) in zip(xs, history, strict=True)
        )
        out.append(
            Chart(
                "Interactions over time (at each sync)",
                [],
                points,
                _ticks([t for t, _ in history], xs, zone),
                str(most),
            )
        )
    return out


def _safe_href(url: str) -> str | None:
    """Only web links become links; anything else (``javascript:``...) stays text."""
    return url if url.startswith(("https://", "http://")) else None


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = template_environment(dirs, autoescape=True)
    env.filters["safe_href"] = _safe_href
    env.filters["bdi"] = bdi
    env.filters["unbidi"] = balance_bidi
    return env


def render(report: Report, template_dirs: Sequence[Path] = ()) -> str:
    zone = ZoneInfo(report.timezone)

    def local(moment: datetime | None, fmt: str = "%H:%M") -> str:
        return moment.astimezone(zone).strftime(fmt) if moment else "never"

    template = _environment(tuple(template_dirs)).get_template(TEMPLATE)
    titles = {s.talk.id: s.talk.title for s in report.talks}
    return template.render(r=report, charts=charts(report), local=local, titles=titles)


def write(report: Report, out: IO[str], template_dirs: Sequence[Path] = ()) -> None:
    out.write(render(report, template_dirs))
