"""``livepost run``: the daemon's loop, its jobs (:mod:`.jobs`, one job each), wake-ups, clock
and rehearsal key, and :mod:`.assemble`, the one place that builds a run from settings. Everything
here reaches the event through :mod:`livepost.app.daemon`."""
