"""``livepost run``: the daemon, its wake-ups and clock, the one-daemon-per-event lock, the
rehearsal copy, and :mod:`.assemble`, the one place that builds a run from settings."""
