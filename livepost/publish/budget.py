"""livepost's own write budget, under Bluesky's limits with a margin.

Bluesky allows 5,000 points an hour and 35,000 a day per account; creating a record costs 3.
livepost keeps to 80 % of that (1,333 posts an hour, 9,333 a day) so that posts made by hand in
the app still fit, and warns before a plan would go over.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

HOURLY_POINTS = 5_000
DAILY_POINTS = 35_000
CREATE_POINTS = 3
MARGIN = 0.8
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class WriteBudget:
    """Creates allowed in any sliding hour and day."""

    hourly_points: int = int(HOURLY_POINTS * MARGIN)
    daily_points: int = int(DAILY_POINTS * MARGIN)
    create_points: int = CREATE_POINTS

    @property
    def per_hour(self) -> int:
        return self.hourly_points // self.create_points

    @property
    def per_day(self) -> int:
        return self.daily_points // self.create_points

    def next_allowed(self, sent: Iterable[datetime], at: datetime) -> datetime | None:
        """None if one more create fits at ``at``; else the moment it will fit."""
        times = sorted(t for t in sent if t > at - DAY and t <= at)
        waits: list[datetime] = []
        for window, allowed in ((HOUR, self.per_hour), (DAY, self.per_day)):
            inside = [t for t in times if t > at - window]
            if len(inside) >= allowed:
                # the window frees one slot when its oldest surplus create leaves it
                waits.append(inside[len(inside) - allowed] + window)
        return max(waits) if waits else None


def budget_warnings(
    planned: Iterable[datetime],
    *,
    sent: Iterable[datetime] = (),
    budget: WriteBudget | None = None,
) -> list[str]:
    """What a plan (the due times of its posts) would do to the budget, one message per window.

    ``sent`` are the times of posts already made from this account (they count too).
    """
    budget = budget or WriteBudget()
    plan = sorted(planned)
    everything = sorted([*sent, *plan])
    messages: list[str] = []
    for window, allowed, name, limit in (
        (HOUR, budget.per_hour, "hour", HOURLY_POINTS),
        (DAY, budget.per_day, "day", DAILY_POINTS),
    ):
        for moment in plan:
            start = bisect.bisect_right(everything, moment - window)
            end = bisect.bisect_right(everything, moment)
            count = end - start
            if count > allowed:
                messages.append(
                    f"The plan makes {count:,} posts in the {name} up to "
                    f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC: more than livepost's "
                    f"budget of {allowed:,} per {name} (Bluesky allows "
                    f"{limit:,} points per {name}, a post costs {budget.create_points}). "
                    "Posts over the budget wait until it frees up."
                )
                break
    return messages
