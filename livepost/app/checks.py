"""The console's Checks page: the doctor's checks, and whether ``livepost run`` is sending."""

from __future__ import annotations

from livepost.app.context import EventScope
from livepost.app.doctor import Check, run_checks
from livepost.app.permissions import Action, ensure
from livepost.app.status import daemon_state
from livepost.errors import LivepostError


class Checks(EventScope):
    """What ``livepost doctor`` says about the event, for anyone who may read it."""

    def run(self, *, online: bool = True) -> list[Check]:
        ensure(self.actor, Action.READ)
        settings = self.settings
        checks = run_checks(settings.event_dir, database_url=settings.database_url, online=online)
        checks.append(self.daemon())
        return checks

    def daemon(self) -> Check:
        """Whether ``livepost run`` is sending for this event (asked only when Checks is opened:
        the probe takes the daemon's lock for a moment)."""
        ensure(self.actor, Action.READ)
        try:
            state = daemon_state(self.engine, self.settings.event_key)
        except (ImportError, LivepostError) as exc:
            return Check("daemon", "warn", f"cannot tell whether livepost run is running ({exc})")
        if state.startswith("running"):
            return Check("daemon", "ok", f"livepost run is {state}")
        return Check(
            "daemon",
            "warn",
            "livepost run is not running: queued posts wait until it is",
            "Start it in the event folder with: livepost run",
        )
