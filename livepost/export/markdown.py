"""``--format md``: a report readable on its own, to paste into a document.

User text is quoted line by line with Markdown's special characters escaped, so a post can
neither break the layout nor smuggle HTML into a Markdown renderer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from livepost.export.bidi import balance_bidi
from livepost.export.report import Post, Report, TalkSection
from livepost.model.engagement import Counts

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_LINE_START = re.compile(r"^(\s*)(?:([-+])|(\d+)\.)(?=\s|$)")


def _list_marker(match: re.Match[str]) -> str:
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"{match.group(1)}{match.group(3)}\\."


def escape(text: str) -> str:
    """Markdown-safe text: characters that make links, HTML, emphasis or tables escaped, and a
    leading list marker too; ordinary punctuation (``10-17``, brackets) stays readable."""
    return _LINE_START.sub(_list_marker, _SPECIAL.sub(r"\\\1", balance_bidi(text)))


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def counts_line(counts: Counts) -> str:
    return " · ".join(
        (
            _n(counts.replies, "reply", "replies"),
            _n(counts.reposts, "repost", "reposts"),
            _n(counts.likes, "like", "likes"),
            _n(counts.quotes, "quote", "quotes"),
        )
    )


class _Writer:
    def __init__(self, report: Report, out: IO[str]) -> None:
        self.report = report
        self.out = out
        self.zone = ZoneInfo(report.timezone)
        self.titles = {s.talk.id: s.talk.title for s in report.talks}

    def time(self, moment: datetime | None, day: bool = False) -> str:
        if moment is None:
            return "never"
        local = moment.astimezone(self.zone)
        return local.strftime("%a %d %b %Y %H:%M") if day else local.strftime("%H:%M")

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def post(self, post: Post, with_talk: bool = False) -> None:
        who = "us" if post.ours else f"@{escape(post.author_handle)}"
        if post.ours and post.queued_by_id:
            who = f"us (queued by {escape(post.queued_by_label)})"
        if not post.ours and post.author_name:
            who = f"{escape(post.author_name)} ({who})"
        title = self.titles.get(post.talk or "", post.talk)
        talk = f" · {escape(title)}" if with_talk and title else ""
        self.line(
            f"- **{self.time(post.created_at)}** {who} — {counts_line(post.counts)}{talk} "
            f"· [link]({post.url})"
        )
        lines = post.text.splitlines() or [""]
        for number, text_line in enumerate(lines, 1):
            end = "  " if number < len(lines) else ""  # a hard line break in rendered Markdown
            self.line(f"  > {escape(text_line)}{end}")
        for alt in post.image_alts:
            self.line(f"  > *image: {escape(alt) if alt else '(no alt text)'}*")

    def talk(self, section: TalkSection) -> None:
        talk = section.talk
        self.line(f"### {self.time(talk.start)}–{self.time(talk.end)} {escape(talk.title)}")
        self.line()
        meta = [escape(talk.room)] if talk.room else []
        if talk.speakers:
            meta.append(", ".join(escape(p.name) for p in talk.speakers))
        if meta:
            self.line(" · ".join(meta))
            self.line()
        self.line(f"Talk id `{talk.id}` · {counts_line(section.totals)}")
        self.line()
        if not section.posts and not section.community:
            self.line("Nothing was posted about this talk.")
            self.line()
            return
        self.posts(f"**Our thread** ({len(section.posts)} posts)", section.posts)
        self.posts(f"**The community** ({len(section.community)} posts)", section.community)

    def posts(self, heading: str, posts: Sequence[Post], empty: str = "- none") -> None:
        """A heading, then the posts (or ``empty``), then a blank line."""
        self.line(heading)
        self.line()
        for post in posts:
            self.post(post)
        if not posts:
            self.line(empty)
        self.line()

    def speaker_kit(self, section: TalkSection) -> None:
        """One talk's page, to send its speakers after the event."""
        r, talk = self.report, section.talk
        self.line(f"# {escape(talk.title)}")
        self.line()
        who = ", ".join(escape(p.name) for p in talk.speakers)
        place = f", {escape(talk.room)}" if talk.room else ""
        self.line(
            f"{escape(r.event_name)} · {self.time(talk.start, day=True)}–{self.time(talk.end)}"
            f"{place}" + (f" · {who}" if who else "")
        )
        self.line()
        tags = " ".join(f"\\#{escape(t)}" for t in r.hashtags)
        self.line(
            f"How the talk was covered on Bluesky{' under ' + tags if tags else ''}: our live "
            "thread, what the audience posted about it, and the counts "
            f"(as of {self.time(r.last_sync, day=True)}, {r.timezone}; interactions by others "
            "only)."
        )
        self.line()
        self.line("## In numbers")
        self.line()
        self.line("| | |")
        self.line("|---|---|")
        self.line(f"| Posts in our live thread | {len(section.posts)} |")
        self.line(f"| Posts by the community | {len(section.community)} |")
        for name, value in section.totals.as_dict().items():
            if value is not None:
                self.line(f"| {name.capitalize()} | {value} |")
        self.line()
        self.posts(
            "## The community's best posts",
            section.best,
            "- no community post about this talk got interactions yet",
        )
        self.posts("## Our live thread", section.posts)
        self.posts(
            f"## Everything the community posted ({len(section.community)})", section.community
        )

    def write(self) -> None:
        r = self.report
        if r.talk_filter and len(r.talks) == 1:
            self.speaker_kit(r.talks[0])
            return
        title = f"{escape(r.event_name)}: coverage report"
        if r.talk_filter:
            title += f" for {escape(r.talk_filter)}"
        self.line(f"# {title}")
        self.line()
        tags = " ".join(f"\\#{escape(t)}" for t in r.hashtags)
        self.line(
            f"Counts as of the last sync: {self.time(r.last_sync, day=True)} ({r.timezone}). "
            f"Generated {self.time(r.generated_at, day=True)}."
        )
        self.line()
        self.line("## Summary")
        self.line()
        self.line("| | |")
        self.line("|---|---|")
        self.line(f"| Our posts | {len(r.posts)} |")
        self.line(f"| Community posts{' under ' + tags if tags else ''} | {len(r.community)} |")
        for name, value in r.totals.as_dict().items():
            if value is not None:
                self.line(f"| {name.capitalize()} | {value} |")
        self.line()
        self.line("## Top posts")
        self.line()
        for post in r.top:
            self.post(post, with_talk=True)
        if not r.top:
            self.line("- no interactions yet")
        self.line()
        self.line(f"## Timeline ({r.bucket_minutes}-minute steps)")
        self.line()
        self.line("| From | Our posts | Community posts | Interactions |")
        self.line("|---|---:|---:|---:|")
        for b in r.buckets:
            if b.ours or b.community:
                self.line(
                    f"| {self.time(b.start, day=True)} | {b.ours} | {b.community} | "
                    f"{b.engagement} |"
                )
        self.line()
        if r.history:
            self.line("Interactions over time (all posts, at each sync):")
            self.line()
            for moment, total in r.history:
                self.line(f"- {self.time(moment, day=True)}: {total}")
            self.line()
        self.line("## Talks")
        self.line()
        for section in r.talks:
            self.talk(section)
        if not r.talk_filter:
            self.line("## Outside any talk")
            self.line()
            for post in r.outside_posts:
                self.post(post)
            for post in r.outside_community:
                self.post(post)
            if not r.outside_posts and not r.outside_community:
                self.line("- none")
            self.line()


def write(report: Report, out: IO[str]) -> None:
    _Writer(report, out).write()
