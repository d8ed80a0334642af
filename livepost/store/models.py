"""SQLAlchemy 2.x tables of livepost: events, rooms, people, talks and note snippets.

Rows, not domain objects: :mod:`livepost.store.talks` converts between these and
:mod:`livepost.model`. Every change here needs a new Alembic revision in
``livepost/store/migrations/versions/`` (``tests/store/test_store.py`` fails when they disagree).

Later issues add their tables here too (the outbox of posts to send, the engagement archive);
they hang off ``events.id`` like the tables below.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from livepost.model.posts import PostState

#: Constraint names are fixed so that migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time, stored as UTC, always returned timezone-aware in UTC.

    SQLite has no time zones (it would hand back naive datetimes) and PostgreSQL returns
    ``timestamptz`` in the session's zone; both come back here as aware UTC. Naive datetimes are
    refused: a time without a zone is a bug in the caller, not something to guess about.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored (needs a zone)")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now() -> datetime:
    """The current moment, aware, in UTC (the default of every ``updated_at``)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every livepost table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}  # noqa: RUF012


class EventRow(Base):
    """One event (conference). ``key`` is a short slug naming it, e.g. ``ccprconf26``."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    #: ``livepost queue pause``: the daemon sends nothing while this is set
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class RoomRow(Base):
    """A room (or stage, or track used as a room) of an event."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))


class PersonRow(Base):
    """A speaker. ``affiliation`` is ``""`` when unknown, so that the unique key works in SQL
    (NULLs never collide in a unique constraint)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("event_id", "name", "affiliation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    affiliation: Mapped[str] = mapped_column(String(500), default="")
    #: the speaker's Bluesky handle (without "@"), from the programme or the people file
    handle: Mapped[str | None] = mapped_column(String(300))


class TalkSpeakerRow(Base):
    """Who speaks at a talk, in the programme's order (``position`` 0, 1, ...)."""

    __tablename__ = "talk_speakers"

    talk_pk: Mapped[int] = mapped_column(
        ForeignKey("talks.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)

    person: Mapped[PersonRow] = relationship(lazy="joined")


class TalkRow(Base):
    """A programme item. ``talk_id`` is livepost's stable slug (it names ``notes/<talk_id>.md``);
    ``id`` is only the row's key. Talks are never deleted: gone from the programme means
    ``withdrawn``, because posts and notes may already refer to them."""

    __tablename__ = "talks"
    __table_args__ = (UniqueConstraint("event_id", "talk_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    talk_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="talk")
    start_utc: Mapped[datetime] = mapped_column(index=True)
    end_utc: Mapped[datetime]
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="SET NULL"), index=True
    )
    track: Mapped[str | None] = mapped_column(String(300))
    abstract: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(35))
    url: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(String(300))
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_minutes: Mapped[int | None] = mapped_column(Integer)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    room: Mapped[RoomRow | None] = relationship(lazy="joined")
    speakers: Mapped[list[TalkSpeakerRow]] = relationship(
        order_by=TalkSpeakerRow.position, cascade="all, delete-orphan", lazy="selectin"
    )


class SnippetRow(Base):
    """One note snippet of ``notes/<talk_id>.md`` (``index`` counts from 0 in file order).

    ``talk_id`` is the talk's slug, not a foreign key: a notes file may name a talk that is not
    (yet) in the programme, and ``notes check`` reports it rather than losing it. ``pinned_at`` is
    the snippet's optional ``[HH:MM]``; ``content_hash`` tells an edited snippet from an unchanged
    one when the file is read again.
    """

    __tablename__ = "snippets"
    __table_args__ = (UniqueConstraint("event_id", "talk_id", "index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    talk_id: Mapped[str] = mapped_column(String(100))
    index: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    pinned_at: Mapped[str | None] = mapped_column(String(5))
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class PostStateType(TypeDecorator[PostState]):
    """The state column: a short string in the database, a :class:`PostState` in Python."""

    impl = String(12)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else PostState(value).value

    def process_result_value(self, value: Any, dialect: Any) -> PostState | None:
        return None if value is None else PostState(value)


class OutboxRow(Base):
    """One post to send, and what became of it: the single source of truth for what went out.

    ``key`` is stable across re-planning (``announce/<talk>``, ``snippet/<talk>/<n>``,
    ``manual/<uuid>``; thread parts add ``#2``, ``#3``), so planning again updates rows instead
    of adding new ones. ``rkey`` is the record key (a TID) minted when the row is created, before
    any network call, so that a post whose outcome is unknown can be looked up instead of being
    sent twice. ``parent_id``/``root_id`` place it in a thread; the strong refs for the reply are
    the ``uri``/``cid`` of those rows once they are posted. ``text``, ``facets`` (the ``compose
    --json`` shape), ``langs``, ``tags`` and ``embed`` are the record as composed; mentions are
    resolved to DIDs and images uploaded at send time.
    """

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("event_id", "key"), UniqueConstraint("rkey"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    origin: Mapped[str] = mapped_column(String(10), default="plan")  # plan | manual
    talk_id: Mapped[str | None] = mapped_column(String(100), index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[PostState] = mapped_column(PostStateType(), default=PostState.QUEUED, index=True)
    text: Mapped[str] = mapped_column(Text)
    facets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    langs: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    embed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), index=True
    )
    root_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    rkey: Mapped[str] = mapped_column(String(13))
    uri: Mapped[str | None] = mapped_column(String(300))
    cid: Mapped[str | None] = mapped_column(String(100))
    #: a hash of what the row was made from (a snippet's text), to notice edits when re-planning
    source_hash: Mapped[str | None] = mapped_column(String(64))
    #: set when the comms officer edited the row by hand: re-planning leaves it alone
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    #: cancelled by the planner (its talk or snippet went away): planning brings it back if the
    #: talk or snippet returns; a post the officer cancelled stays cancelled
    planner_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: part of a thread the PDS refused as one applyWrites call: it goes post by post from now on
    thread_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    #: bumped by every change through the ORM: a change made from a stale copy of the row (an edit
    #: racing the daemon that marks it ``sending``) fails instead of silently winning
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column()
    #: who queued, edited and cancelled it (a team member's name; the CLI's is the OS user's);
    #: NULL for the planner's posts nobody touched
    author: Mapped[str | None] = mapped_column(String(100))
    edited_by: Mapped[str | None] = mapped_column(String(100))
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    #: the identities behind those names (``owner``, ``member:<id>``, ``daemon``): who may change
    #: a post is decided by these, never by the names above
    author_id: Mapped[str | None] = mapped_column(String(40), index=True)
    edited_by_id: Mapped[str | None] = mapped_column(String(40))
    cancelled_by_id: Mapped[str | None] = mapped_column(String(40))
    #: ``<author>/<key>`` of a post sent through the API with the client's idempotency key: the
    #: same key again is the same post (a double tap, a resend after a dropped connection)
    client_key: Mapped[str | None] = mapped_column(String(250), unique=True)
    #: a SHA-256 of what that request asked for (text, talk, images and their alt text): the same
    #: key with another request is refused, not answered with this post (NULL before 0011)
    client_digest: Mapped[str | None] = mapped_column(String(64))


class TeamMemberRow(Base):
    """A member of the comms team with their own access (``livepost team add``).

    Only the SHA-256 of the personal token is kept: the token itself is shown once. ``rooms``
    limits a reporter to the talks of those rooms; ``revoked_at`` set means the token no longer
    works (the row stays, because posts name their author).
    """

    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("event_id", "name"),
        UniqueConstraint("event_id", "name_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    #: the name case-folded and NFKC-normalised: two people cannot share a name told apart by
    #: case or look-alike forms
    name_key: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))  # officer | reporter | viewer
    rooms: Mapped[list[str]] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column()


# --- the engagement archive (issue 7) -----------------------------------------------------------


class ArchivedPostRow(Base):
    """A post by someone else that the archive keeps: under the event's hashtag, or a reply in one
    of our threads.

    ``uri`` is unique per event, so the same post found twice (by two hashtags, or as a reply that
    also carries the tag) is one row; ``source`` says how it was first found (``hashtag`` or
    ``reply``) and ``matched_tag`` which hashtag matched. ``links`` are the link facets' URIs and
    external embed, ``image_alts`` the images' alt texts; ``facets`` are stored as the record has
    them. Counts live in :class:`EngagementSnapshotRow`, as for our own posts.
    """

    __tablename__ = "archived_posts"
    __table_args__ = (UniqueConstraint("event_id", "uri"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    uri: Mapped[str] = mapped_column(String(300))
    cid: Mapped[str] = mapped_column(String(100))
    author_did: Mapped[str] = mapped_column(String(200))
    author_handle: Mapped[str] = mapped_column(String(300))
    author_name: Mapped[str | None] = mapped_column(String(640))
    text: Mapped[str] = mapped_column(Text)
    facets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    image_alts: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: each image as ``{"alt", "thumb", "fullsize"}`` (addresses as the AppView gives them)
    images: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(index=True)
    indexed_at: Mapped[datetime]
    reply_parent: Mapped[str | None] = mapped_column(String(300))
    reply_root: Mapped[str | None] = mapped_column(String(300), index=True)
    source: Mapped[str] = mapped_column(String(10))  # hashtag | reply
    matched_tag: Mapped[str | None] = mapped_column(String(640))
    first_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class EngagementSnapshotRow(Base):
    """The counts of one post (ours or an archived one) at one moment: a history, not one number.

    ``uri`` is not a foreign key because it names a row of either ``outbox`` or
    ``archived_posts``. ``bookmarks`` is NULL when the AppView does not report it.
    """

    __tablename__ = "engagement_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    uri: Mapped[str] = mapped_column(String(300))
    taken_at: Mapped[datetime]
    replies: Mapped[int] = mapped_column(Integer)
    reposts: Mapped[int] = mapped_column(Integer)
    likes: Mapped[int] = mapped_column(Integer)
    quotes: Mapped[int] = mapped_column(Integer)
    bookmarks: Mapped[int | None] = mapped_column(Integer)


Index(
    "ix_engagement_snapshots_event_id_uri_taken_at",
    EngagementSnapshotRow.event_id,
    EngagementSnapshotRow.uri,
    EngagementSnapshotRow.taken_at,
)


class ArchiveSyncRow(Base):
    """Where one kind of archive work stands, so that a sync resumes instead of starting over.

    ``kind`` is ``engagement``, ``replies``, ``hashtag:<tag>`` or ``final``. ``started_at`` and
    ``finished_at`` bracket the last pass (an unfinished pass has ``finished_at`` before
    ``started_at`` or NULL); ``cursor`` is the search cursor of an unfinished hashtag pass;
    ``mark`` is the newest post time a finished hashtag pass has seen (the next pass stops there)
    and ``pass_mark`` the newest one the unfinished pass has seen so far.
    """

    __tablename__ = "archive_sync"
    __table_args__ = (UniqueConstraint("event_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(700))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cursor: Mapped[str | None] = mapped_column(Text)
    mark: Mapped[datetime | None]
    pass_mark: Mapped[datetime | None]


class ScheduleFetchRow(Base):
    """The last fetch of an event's programme URL: the validators to send next time (``etag``,
    ``last_modified``), when it was last tried and last worked, why and when the last try failed
    (``error`` is cleared when a fetch works again), how many tries in a row failed and when the
    daemon tries next."""

    __tablename__ = "schedule_fetches"
    __table_args__ = (UniqueConstraint("event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    tried_at: Mapped[datetime | None]
    ok_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    retry_at: Mapped[datetime | None]


class HandleCheckRow(Base):
    """What ``resolveHandle`` answered for a handle on a service (``did`` None: it does not
    resolve), and when; ``plan`` reuses a recent answer instead of asking again."""

    __tablename__ = "handle_checks"
    __table_args__ = (UniqueConstraint("service", "handle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(300))
    handle: Mapped[str] = mapped_column(String(300))
    did: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime]


class ArchiveTombstoneRow(Base):
    """A community post gone from Bluesky (deleted, or its author gone): it stays out of the
    archive, the exports and the wall even if a lagging search index shows it again."""

    __tablename__ = "archive_tombstones"
    __table_args__ = (UniqueConstraint("event_id", "uri"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    uri: Mapped[str] = mapped_column(String(300))
    deleted_at: Mapped[datetime] = mapped_column(default=utc_now)


# --- the venue wall and reply control (issue 14) ------------------------------------------------


class WallModerationRow(Base):
    """One standing decision about the wall: ``hide`` or ``pin`` a post (``target`` its URI) or
    ``block`` an author (``target`` the handle, ``target_did`` its DID when known). The wall reads
    these at every query, so nothing hidden shows, even right after a restart."""

    __tablename__ = "wall_moderation"
    __table_args__ = (UniqueConstraint("event_id", "action", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(10))  # hide | pin | block
    target: Mapped[str] = mapped_column(String(300))
    target_did: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class WallLogRow(Base):
    """Who did what to the wall, when (``hide``, ``unhide``, ``pin``, ``unpin``, ``block``,
    ``unblock``, ``hide-reply``): kept, never changed."""

    __tablename__ = "wall_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utc_now)
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(300))
    actor_id: Mapped[str | None] = mapped_column(String(40))


class AuditRow(Base):
    """One change someone made (queue, edit, cancel, retry, pause, wall and reply moderation, team
    changes), with the identity and the name of who made it: kept, never changed."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
    actor_id: Mapped[str] = mapped_column(String(40))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    target: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)


class GateWriteRow(Base):
    """A threadgate or postgate record of one of our posts, as it should be on the PDS.

    ``pending`` until a write of the current ``record`` succeeded; a failed write keeps it pending
    with ``last_error`` and is retried by the daemon (or ``livepost replies retry``)."""

    __tablename__ = "gate_writes"
    __table_args__ = (UniqueConstraint("event_id", "collection", "rkey"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    collection: Mapped[str] = mapped_column(String(40))
    rkey: Mapped[str] = mapped_column(String(20))
    post_uri: Mapped[str] = mapped_column(String(300))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
