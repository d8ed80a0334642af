"""The outbox: every post to send, its state (:mod:`.states`), the queries on it (:mod:`.queries`),
its record keys (:mod:`.tid`) and its timeline. The single source of truth for what has gone out."""
