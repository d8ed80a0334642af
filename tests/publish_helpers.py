"""Shared set-up of the publishing tests: an event folder wired to a local network account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from livepost.compose.compose import compose
from livepost.config import Settings, load_settings
from livepost.devtools.bluesky_network import LocalNetwork
from livepost.outbox.queries import Draft

T0 = datetime(2026, 6, 18, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


def make_event(
    folder: Path, network: LocalNetwork | None, account: str = "alice", password: str | None = None
) -> Settings:
    """An event folder (``livepost.toml``, SQLite database) posting as ``account``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "livepost.toml").write_text(
        '[event]\nname = "Conf"\nhashtags = ["ccpr"]\ntimezone = "Europe/London"\n'
        'langs = ["en-GB"]\n'
    )
    environ: dict[str, str] = {}
    if network is not None:
        acct = network.account(account)
        environ = {
            "LIVEPOST_SERVICE": network.pds_url,
            "LIVEPOST_HANDLE": acct.handle,
            "LIVEPOST_APP_PASSWORD": password if password is not None else acct.app_password,
        }
    return load_settings(folder, environ=environ)


def composed_draft(key: str, text: str, minutes: int = 0, **extra: Any) -> Draft:
    """A draft whose text and facets come from the real composer."""
    (post,) = compose(text, event_hashtags=["ccpr"], langs=["en-GB"])
    data = post.to_json()
    return Draft(
        key=key,
        kind="snippet",
        due_at=T0 + timedelta(minutes=minutes),
        text=data["text"],
        facets=data["facets"],
        langs=data["langs"],
        **extra,
    )
