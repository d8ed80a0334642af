"""Plain typed domain objects: the programme (:mod:`.programme`) and engagement read from Bluesky
(:mod:`.engagement`). They carry no database or network objects."""

from livepost.model.programme import Person, Schedule, Talk, TalkKind

__all__ = ["Person", "Schedule", "Talk", "TalkKind"]
