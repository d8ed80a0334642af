"""Publishing the outbox exactly once, through a :class:`Publisher` (the only network seam).

``base`` holds the protocol, strong refs and the error kinds; ``dryrun`` a publisher that sends
nothing; ``records`` turns an outbox row into the record Bluesky receives; ``delivery`` moves due
rows through ``sending`` to ``posted``; ``budget`` keeps livepost under Bluesky's write limits.
The real network lives in :mod:`livepost.bluesky` (the only package that imports ``atproto``).
"""

from livepost.publish.base import (
    AuthFailure,
    BatchPublisher,
    Blob,
    Publisher,
    PublishError,
    RateLimited,
    Rejected,
    StrongRef,
    UnknownOutcome,
)

__all__ = [
    "AuthFailure",
    "BatchPublisher",
    "Blob",
    "PublishError",
    "Publisher",
    "RateLimited",
    "Rejected",
    "StrongRef",
    "UnknownOutcome",
]
