"""The engagement archive: counts of our posts over time, replies to our threads, and the
community's posts under the event's hashtags (:mod:`.sync`)."""
