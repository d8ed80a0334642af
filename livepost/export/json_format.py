"""``--format json``: the archive as one stable JSON document (documented in the README).

Times are ISO 8601 in UTC; keys are never removed or renamed within ``version`` 1, only added.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import IO, Any

from livepost.export.report import Post, Report
from livepost.model.engagement import Counts

FORMAT_VERSION = 1


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _counts(counts: Counts) -> dict[str, int | None]:
    return counts.as_dict()


def post_json(post: Post) -> dict[str, Any]:
    """One of our posts."""
    return {
        "uri": post.uri,
        "cid": post.cid,
        "url": post.url,
        "talk": post.talk,
        "kind": post.kind,
        "key": post.key,
        "text": post.text,
        "created_at": _time(post.created_at),
        "reply_parent": post.reply_parent,
        "reply_root": post.reply_root,
        "counts": _counts(post.counts),
        "author": post.queued_by,
        "author_id": post.queued_by_id,
    }


def community_json(post: Post) -> dict[str, Any]:
    """One post of the community (under the hashtag, or a reply to us)."""
    return {
        "uri": post.uri,
        "cid": post.cid,
        "url": post.url,
        "author": {
            "did": post.author_did,
            "handle": post.author_handle,
            "display_name": post.author_name,
        },
        "text": post.text,
        "created_at": _time(post.created_at),
        "talk": post.talk,
        "talk_reason": post.talk_reason,
        "source": post.source,
        "matched_tag": post.matched_tag,
        "links": post.links,
        "image_alts": post.image_alts,
        "images": post.images,
        "reply_parent": post.reply_parent,
        "reply_root": post.reply_root,
        "counts": _counts(post.counts),
    }


def report_json(report: Report) -> dict[str, Any]:
    return {
        "format": "livepost-archive",
        "version": FORMAT_VERSION,
        "generated_at": _time(report.generated_at),
        "event": {
            "key": report.event_key,
            "name": report.event_name,
            "timezone": report.timezone,
            "hashtags": report.hashtags,
            "start": _time(report.start),
            "end": _time(report.end),
            "last_sync": _time(report.last_sync),
            "talk_filter": report.talk_filter,
            "totals": _counts(report.totals),
        },
        "talks": [
            {
                "id": s.talk.id,
                "title": s.talk.title,
                "kind": s.talk.kind,
                "start": _time(s.talk.start),
                "end": _time(s.talk.end),
                "room": s.talk.room,
                "speakers": [p.name for p in s.talk.speakers],
                "posts": [p.uri for p in s.posts],
                "community": [p.uri for p in s.community],
                "top": [p.uri for p in s.top],
                "totals": _counts(s.totals),
            }
            for s in report.talks
        ],
        "posts": [post_json(p) for p in report.posts],
        "community": [community_json(p) for p in report.community],
        "outside": {
            "posts": [p.uri for p in report.outside_posts],
            "community": [p.uri for p in report.outside_community],
        },
        "top_posts": [p.uri for p in report.top],
        "timeline": {
            "bucket_minutes": report.bucket_minutes,
            "buckets": [
                {
                    "start": _time(b.start),
                    "posts": b.ours,
                    "community": b.community,
                    "engagement": b.engagement,
                }
                for b in report.buckets
            ],
            "syncs": [{"taken_at": _time(t), "interactions": n} for t, n in report.history],
        },
    }


def write(report: Report, out: IO[str]) -> None:
    json.dump(report_json(report), out, ensure_ascii=False, indent=1)
    out.write("\n")
