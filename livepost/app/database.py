"""The event's database for front ends that hold it open (the console): opened and migrated here,
so that ``livepost.web`` never imports the store or SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import Engine

from livepost.store.engine import open_database

__all__ = ["Engine", "open_database"]
