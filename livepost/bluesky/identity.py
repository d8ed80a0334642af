"""Handle -> DID without logging in (``com.atproto.identity.resolveHandle`` on the service), for
checking speakers' handles before the day: ``people check``, ``doctor`` and ``plan``."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from livepost.errors import NetworkError

TIMEOUT_SECONDS = 10.0


def resolve_handles(service: str, handles: Iterable[str]) -> dict[str, str | None]:
    """Each handle's DID, or None when the service says it does not resolve. A service that
    cannot be reached (or answers with a server error) is a :class:`NetworkError`."""
    url = f"{service.rstrip('/')}/xrpc/com.atproto.identity.resolveHandle"
    found: dict[str, str | None] = {}
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
            for handle in handles:
                response = client.get(url, params={"handle": handle})
                if response.status_code == 200:
                    did = response.json().get("did")
                    found[handle] = str(did) if did else None
                elif response.status_code in (400, 404):
                    found[handle] = None  # "Unable to resolve handle" / no such handle
                else:
                    raise NetworkError(
                        f"{service} answered {response.status_code} to resolveHandle",
                        hint="Try again later, or check LIVEPOST_SERVICE.",
                    )
    except httpx.HTTPError as exc:
        raise NetworkError(
            f"cannot reach {service} to check handles ({type(exc).__name__})",
            hint="Check the network connection and LIVEPOST_SERVICE.",
        ) from None
    except ValueError:  # not JSON: not a PDS
        raise NetworkError(
            f"{service} did not answer resolveHandle with JSON",
            hint="LIVEPOST_SERVICE must be the base URL of a PDS, e.g. https://bsky.social.",
        ) from None
    return found
