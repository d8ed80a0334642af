"""``livepost login`` and ``logout``: the event folder's Bluesky session, for the front ends.

Only the command line (the event's owner) logs in; atproto is imported when these are called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from livepost.bluesky.session_file import SessionStatus, StoredSession
    from livepost.config import Settings


def login_account(
    settings: Settings,
    handle: str,
    password: str,
    *,
    code: str | None = None,
    ask_code: Callable[[], str] | None = None,
) -> StoredSession:
    """Log in once and keep the session in the event folder. An account that signs in with an
    e-mailed code and no ``code`` given: ``ask_code()`` is asked for it, or the error says how."""
    from livepost.bluesky.errors import AuthCodeRequired
    from livepost.bluesky.session import login, normalize_service

    service = normalize_service(settings.service)
    account = handle.lstrip("@")
    try:
        return login(service, account, password, settings.event_dir, code=code)
    except AuthCodeRequired:
        if code is not None or ask_code is None:
            raise  # says how to pass the code
        return login(service, account, password, settings.event_dir, code=ask_code().strip())


def logout_account(settings: Settings) -> SessionStatus:
    """Revoke the stored session (best effort) and delete it from the event folder."""
    from livepost.bluesky.session import logout

    return logout(settings)
