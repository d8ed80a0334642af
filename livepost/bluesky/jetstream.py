"""Reading Jetstream (v2) with the SDK's client: the stream of post records, from a cursor.

The SDK's :class:`atproto.JetstreamClient` tracks the cursor and drops events redelivered on a
reconnect; each message is handed on as its plain JSON payload (``$type``, ``did``,
``operation``, ``collection``, ``rkey``, ``seq``, ``time``, ``cid``, ``record``), which is what
:class:`livepost.archive.live.LiveCapture` handles.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def message_payload(message: Any) -> dict[str, Any]:
    """An SDK Jetstream message as the JSON payload it arrived as."""
    if hasattr(message, "model_dump"):
        payload: dict[str, Any] = message.model_dump(mode="json", by_alias=True, exclude_none=True)
        return payload
    return dict(message)


def follow_jetstream(
    url: str,
    cursor: int | None,
    on_event: Callable[[dict[str, Any]], object],
    stop: threading.Event,
    on_stop: Callable[[], object] | None = None,
) -> threading.Thread:
    """Start a thread reading post commits from ``url`` (after ``cursor``) into ``on_event``
    until ``stop`` is set, then call ``on_stop`` (keep the cursor). A failing callback is
    logged; the stream goes on."""
    from atproto import JetstreamClient

    params: dict[str, Any] = {"collections": ["app.bsky.feed.post"], "kinds": ["commit"]}
    if cursor is not None:
        params["cursor"] = cursor
    client = JetstreamClient(params=params, base_uri=url)

    def handle(message: Any) -> None:
        on_event(message_payload(message))

    def run() -> None:
        try:
            client.start(handle, on_callback_error_callback=_log_error)
        except Exception as exc:  # the search keeps the archive complete without the stream
            log.warning("jetstream %s stopped: %s", url, exc)
        finally:
            if on_stop is not None:
                on_stop()

    def watch_stop() -> None:
        stop.wait()
        try:
            client.stop()
        except Exception:  # already stopped
            log.debug("jetstream stop", exc_info=True)

    thread = threading.Thread(target=run, name="livepost-jetstream", daemon=True)
    thread.start()
    threading.Thread(target=watch_stop, name="livepost-jetstream-stop", daemon=True).start()
    return thread


def _log_error(exc: BaseException) -> None:
    log.warning("jetstream: an event could not be handled: %s", exc)
