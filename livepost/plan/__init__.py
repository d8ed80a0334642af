"""What goes out when: the pure planner (:mod:`.planner`) and its sync into the outbox
(:mod:`.sync`)."""
