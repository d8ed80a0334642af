"""Storage against real databases: a SQLite file in tmp_path and a throwaway PostgreSQL server."""

from __future__ import annotations

import copy
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, func, inspect, select, text

from livepost.config import default_database_url
from livepost.devtools.postgres import free_port
from livepost.errors import ConfigError, ScheduleError, StoreError
from livepost.model import Person, Schedule, Talk
from livepost.store.engine import (
    HEAD_REVISION,
    SQLITE_BUSY_TIMEOUT_MS,
    alembic_config,
    migrate,
    open_database,
    session_scope,
)
from livepost.store.models import Base, PersonRow, RoomRow, TalkRow
from livepost.store.talks import (
    ImportReport,
    ensure_event,
    load_talks,
    save_schedule,
)

LONDON = ZoneInfo("Europe/London")
PLUS2 = timezone(timedelta(hours=2))
ROOT = Path(__file__).resolve().parents[2]
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
TABLES = {"alembic_version", "events", "people", "rooms", "snippets", "talk_speakers", "talks"}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    with session_scope(engine) as session:
        ensure_event(session, "ccprconf26", "CCPR Conference 2026", "Europe/London")
    yield engine
    engine.dispose()


def at(hour: int, minute: int = 0, day: int = 9) -> datetime:
    """A moment on the (summer time) conference day, in London time."""
    return datetime(2026, 6, day, hour, minute, tzinfo=LONDON)


def programme() -> Schedule:
    return Schedule(
        talks=[
            Talk("Arrival and coffee", at(9), at(9, 30), kind="break"),
            Talk(
                "Red Flags for Police Misconduct",
                at(9, 30),
                at(10, 15),
                room="Main Hall",
                speakers=[
                    Person("Dr Martin O'Neill", "University of Portsmouth"),
                    Person("Dr Katarina Mozova"),
                ],
                track="Policing",
                abstract="What early warning signs\nlook like.",
                language="en-GB",
                url="https://example.org/talks/red-flags",
                source_id="guid-red-flags",
                hashtags=["policing", "misconduct"],
            ),
            Talk(
                "Constructing a Child First philosophy for the Criminal Justice System",
                at(10, 15),
                at(11),
                room="Room 2",
                speakers=[Person("Dr Jo Mockeridge", "University of Portsmouth")],
                source_id="guid-child-first",
            ),
            Talk(
                "Ethnic Minority Officers within the specialised units in the UK Police Services",
                at(11),
                at(11, 45),
                room="Main Hall",
                speakers=[Person("Mohamed Omar Mohamed")],
                source_id="guid-ethnic-minority",
            ),
            Talk("Lunch", at(12, 30), at(13, 30), kind="break"),
        ],
        title="CCPR Conference 2026",
        timezone="Europe/London",
        format="test",
        source="programme.json",
    )


def save(engine: Engine, schedule: Schedule) -> ImportReport:
    with session_scope(engine) as session:
        return save_schedule(session, "ccprconf26", schedule)


def load(engine: Engine, include_withdrawn: bool = False) -> list[Talk]:
    with session_scope(engine) as session:
        return load_talks(session, "ccprconf26", include_withdrawn=include_withdrawn)


def count(engine: Engine, table: type[Base]) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def snapshot(engine: Engine) -> dict[str, object]:
    """Tables, columns (name, type, nullable), unique constraints and indexes, comparably."""
    inspector = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)),
        )
        for table in inspector.get_table_names()
    }


# --- schema and migrations -----------------------------------------------------------------------


def test_migrates_an_empty_database_and_matches_the_models(database_url: str) -> None:
    engine = open_database(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert tables >= TABLES
        assert tables == {*Base.metadata.tables, "alembic_version"}
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert context.get_current_revision() == HEAD
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_running_migrations_again_changes_nothing(database_url: str) -> None:
    engine = open_database(database_url)
    with session_scope(engine) as session:
        ensure_event(session, "ccprconf26", "CCPR Conference 2026", "Europe/London")
    save(engine, programme())
    before = load(engine)
    schema = snapshot(engine)
    migrate(engine)
    engine.dispose()

    engine = open_database(database_url)  # a second start of livepost
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert versions == [(HEAD,)]
        assert snapshot(engine) == schema
        assert load(engine) == before
    finally:
        engine.dispose()


def test_head_revision_is_alembics_head() -> None:
    # engine.py knows the head without importing Alembic; a new migration must update it
    assert HEAD_REVISION == HEAD


def test_opening_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    url = default_database_url(tmp_path)
    open_database(url).dispose()
    code = (
        "import sys\n"
        "from livepost.store.engine import open_database\n"
        f"open_database({url!r}).dispose()\n"
        "assert 'alembic' not in sys.modules, sorted(m for m in sys.modules if 'alembic' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_processes_starting_together_on_a_fresh_database_migrate_once(database_url: str) -> None:
    # The scheduler and a command may both open a brand-new database at the same moment.
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def start() -> None:
        barrier.wait()
        try:
            open_database(database_url).dispose()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = open_database(database_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert versions == [(HEAD,)]
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = open_database(default_database_url(tmp_path))
    try:
        with engine.connect() as first, engine.connect() as second:  # two pooled connections
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                assert timeout == SQLITE_BUSY_TIMEOUT_MS
        assert (tmp_path / "livepost.db").is_file()
        assert (tmp_path / "livepost.db-wal").exists()
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(database_url: str) -> None:
    engine = open_database(database_url)
    try:
        with pytest.raises(StoreError) as caught, session_scope(engine) as session:
            session.add(RoomRow(event_id=999, name="Nowhere"))
        assert caught.value.message.startswith(
            f"the database {engine.url.render_as_string()} refused a change: "
        )
        assert "foreign key" in caught.value.message.lower()
        assert count(engine, RoomRow) == 0
    finally:
        engine.dispose()


def test_default_database_url_is_the_event_folders_sqlite_file(tmp_path: Path) -> None:
    assert default_database_url(tmp_path) == f"sqlite:///{tmp_path.resolve()}/livepost.db"


# --- opening errors ------------------------------------------------------------------------------


def test_unreachable_postgres_names_the_database_without_its_password() -> None:
    port = free_port()
    url = f"postgresql://livepost:s3cret-pw@127.0.0.1:{port}/coverage"
    with pytest.raises(StoreError) as caught:
        open_database(url)
    error = caught.value
    assert error.message == (
        f"cannot connect to the database postgresql://livepost:***@127.0.0.1:{port}/coverage"
    )
    assert error.hint == (
        "Check LIVEPOST_DATABASE_URL (host, port, user name, password, database name) and that "
        "the PostgreSQL server is running and reachable. (connection failed: connection to "
        f'server at "127.0.0.1", port {port} failed: Connection refused)'
    )
    assert "s3cret-pw" not in str(error)


def test_missing_postgres_driver_says_what_to_install() -> None:
    # A real interpreter in which psycopg cannot be imported.
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from livepost.store.engine import open_database\n"
        "from livepost.errors import StoreError\n"
        "try:\n"
        "    open_database('postgresql://me:hunter2@db.example:5432/live')\n"
        "except StoreError as e:\n"
        "    print(str(e))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout == (
        "cannot open the database postgresql://me:***@db.example:5432/live: "
        "the PostgreSQL driver (psycopg) is not installed\n"
        "Install it: pip install 'livepost[postgres]'\n"
    )


def test_sqlite_in_a_missing_folder(tmp_path: Path) -> None:
    url = default_database_url(tmp_path / "no-such-event")
    with pytest.raises(StoreError) as caught:
        open_database(url)
    assert caught.value.message == f"cannot open the database {url}: unable to open database file"
    assert caught.value.hint == (
        f"Check that the folder {tmp_path / 'no-such-event'} exists and that you may write to "
        "it, or set LIVEPOST_DATABASE_URL to another database."
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "'not a url' is not a database URL"),
        (
            "mysql://me:pw@db/live",
            "cannot open the database mysql://me:***@db/live: "
            "livepost works with SQLite and PostgreSQL only",
        ),
    ],
)
def test_unusable_urls(url: str, message: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_database(url)
    assert caught.value.message == message
    assert caught.value.hint == (
        "Use sqlite:///path/to/livepost.db or postgresql://user:password@host/dbname "
        "in LIVEPOST_DATABASE_URL."
    )


def test_database_from_a_newer_livepost(tmp_path: Path) -> None:
    url = default_database_url(tmp_path)
    open_database(url).dispose()
    raw = create_engine(url)
    with raw.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    raw.dispose()
    with pytest.raises(StoreError) as caught:
        open_database(url)
    assert caught.value.message == (
        f"cannot migrate the database {url}: Can't locate revision identified by '0999'"
    )
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("This database was probably written by a newer livepost")


# --- events and talks ----------------------------------------------------------------------------


def test_ensure_event_is_idempotent_and_follows_the_settings(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = ensure_event(session, "ccprconf26", "CCPR Conference 2026", "Europe/London")
        first_id, created = first.id, first.created_at
    with session_scope(engine) as session:
        again = ensure_event(session, "ccprconf26", "CCPR Conference", "Europe/Dublin")
        assert (again.id, again.name, again.timezone) == (
            first_id,
            "CCPR Conference",
            "Europe/Dublin",
        )
        assert again.created_at == created
        assert created.tzinfo is UTC


def test_ensure_event_refuses_a_key_that_is_not_a_slug(engine: Engine) -> None:
    with pytest.raises(ConfigError) as caught, session_scope(engine) as session:
        ensure_event(session, "CCPR Conf", "CCPR", "Europe/London")
    assert caught.value.message == "'CCPR Conf' cannot name an event"


def test_loading_an_unknown_event(engine: Engine) -> None:
    with pytest.raises(StoreError) as caught, session_scope(engine) as session:
        load_talks(session, "nope")
    assert caught.value.message == "the database has no event 'nope'"


def test_save_and_load_round_trip_exact_values(engine: Engine) -> None:
    schedule = programme()
    report = save(engine, schedule)

    ids = [
        "arrival-coffee",
        "red-flags-police-misconduct",
        "constructing-child-first-philosophy",
        "ethnic-minority-officers-within",
        "lunch",
    ]
    assert [t.id for t in schedule.talks] == ids  # assigned in place
    assert [t.id for t in report.added] == ids
    assert (report.changed, report.withdrawn, report.unchanged) == ([], [], 0)

    talks = load(engine)
    assert [t.id for t in talks] == ids
    red = talks[1]
    assert red == Talk(
        title="Red Flags for Police Misconduct",
        start=datetime(2026, 6, 9, 8, 30, tzinfo=UTC),
        end=datetime(2026, 6, 9, 9, 15, tzinfo=UTC),
        room="Main Hall",
        speakers=[
            Person("Dr Martin O'Neill", "University of Portsmouth"),
            Person("Dr Katarina Mozova", None),
        ],
        kind="talk",
        track="Policing",
        abstract="What early warning signs\nlook like.",
        language="en-GB",
        url="https://example.org/talks/red-flags",
        source_id="guid-red-flags",
        hashtags=["policing", "misconduct"],
        id="red-flags-police-misconduct",
        withdrawn=False,
    )
    for talk in talks:
        assert talk.start.tzinfo is UTC and talk.end.tzinfo is UTC
    assert talks[0].kind == "break" and talks[0].room is None and talks[0].speakers == []
    assert talks[4].start == datetime(2026, 6, 9, 11, 30, tzinfo=UTC)
    assert count(engine, RoomRow) == 2
    assert count(engine, PersonRow) == 4  # Dr Jo Mockeridge shares an affiliation, not a row


def test_speaker_order_and_shared_speakers(engine: Engine) -> None:
    schedule = programme()
    a, b = Person("Zoe Zed"), Person("Adam Aye", "CCPR")
    schedule.talks[2].speakers = [a, b]
    schedule.talks[3].speakers = [b, a]
    save(engine, schedule)
    talks = load(engine)
    assert talks[2].speakers == [a, b]
    assert talks[3].speakers == [b, a]
    assert count(engine, PersonRow) == 4  # O'Neill, Mozova, Zed, Aye


def test_offsets_other_than_the_events_are_stored_as_the_same_instant(engine: Engine) -> None:
    talk = Talk("Late session", datetime(2026, 6, 10, 1, 30, tzinfo=PLUS2), at(1, 15, day=10))
    save(engine, Schedule([talk]))
    (loaded,) = load(engine)
    assert loaded.start == datetime(2026, 6, 9, 23, 30, tzinfo=UTC)
    assert loaded.start.tzinfo is UTC
    assert loaded.end == datetime(2026, 6, 10, 0, 15, tzinfo=UTC)


def test_importing_the_same_programme_twice_reports_nothing(engine: Engine) -> None:
    save(engine, programme())
    stored = load(engine)
    report = save(engine, programme())
    assert (report.added, report.changed, report.withdrawn) == ([], [], [])
    assert report.unchanged == 5
    assert report.nothing_changed
    assert load(engine) == stored


def test_moved_talk_keeps_its_id_and_gets_new_times(engine: Engine) -> None:
    save(engine, programme())
    moved = programme()
    red = moved.talks[1]
    red.start, red.end, red.room = at(14), at(14, 45), "Room 2"
    red.title = "Red Flags for Police Misconduct (updated)"  # same guid, new title
    report = save(engine, moved)

    assert report.added == [] and report.withdrawn == []
    assert [(t.id, fields) for t, fields in report.changed] == [
        ("red-flags-police-misconduct", ["title", "start", "end", "room"])
    ]
    assert report.unchanged == 4
    by_id = {t.id: t for t in load(engine)}
    stored = by_id["red-flags-police-misconduct"]
    assert stored.title == "Red Flags for Police Misconduct (updated)"
    assert (stored.start, stored.end) == (
        datetime(2026, 6, 9, 13, 0, tzinfo=UTC),
        datetime(2026, 6, 9, 13, 45, tzinfo=UTC),
    )
    assert stored.room == "Room 2"
    assert stored.speakers == programme().talks[1].speakers
    assert [t.id for t in load(engine)][-1] == "red-flags-police-misconduct"  # start order


def test_changed_speakers_are_replaced_in_order(engine: Engine) -> None:
    save(engine, programme())
    updated = programme()
    updated.talks[1].speakers = [Person("Dr Katarina Mozova"), Person("Dr New Speaker", "UCL")]
    report = save(engine, updated)
    assert [(t.id, f) for t, f in report.changed] == [("red-flags-police-misconduct", ["speakers"])]
    assert load(engine)[1].speakers == [
        Person("Dr Katarina Mozova"),
        Person("Dr New Speaker", "UCL"),
    ]
    assert save(engine, updated).nothing_changed


def test_removed_talk_is_withdrawn_not_deleted_and_can_come_back(engine: Engine) -> None:
    save(engine, programme())
    shorter = programme()
    del shorter.talks[2]  # Child First is cancelled
    report = save(engine, shorter)

    child_first = "constructing-child-first-philosophy"
    assert [t.id for t in report.withdrawn] == [child_first]
    assert report.withdrawn[0].withdrawn is True
    assert (report.added, report.changed, report.unchanged) == ([], [], 4)
    assert child_first not in [t.id for t in load(engine)]
    everything = load(engine, include_withdrawn=True)
    assert [(t.id, t.withdrawn) for t in everything if t.withdrawn] == [(child_first, True)]
    assert count(engine, TalkRow) == 5

    assert save(engine, shorter).nothing_changed  # not withdrawn a second time

    report = save(engine, programme())  # it is back on
    assert [(t.id, f) for t, f in report.changed] == [(child_first, ["withdrawn"])]
    assert child_first in [t.id for t in load(engine)]
    assert save(engine, programme()).nothing_changed


def test_new_talk_with_a_known_title_gets_a_fresh_id(engine: Engine) -> None:
    save(engine, programme())
    bigger = programme()
    bigger.talks.append(Talk("Lunch", at(12, 30, day=10), at(13, 30, day=10), kind="break"))
    report = save(engine, bigger)
    assert [t.id for t in report.added] == ["lunch-2"]
    assert report.unchanged == 5


def test_duplicate_pinned_ids_are_refused(engine: Engine) -> None:
    schedule = programme()
    schedule.talks[0].id = "welcome"
    schedule.talks[4].id = "welcome"
    with pytest.raises(ScheduleError) as caught, session_scope(engine) as session:
        save_schedule(session, "ccprconf26", schedule)
    assert caught.value.message == (
        "programme.json: two items have the id 'welcome': 'Arrival and coffee' and 'Lunch'"
    )
    assert count(engine, TalkRow) == 0


def test_an_error_half_way_through_an_import_leaves_the_data_as_it_was(engine: Engine) -> None:
    save(engine, programme())
    before = load(engine, include_withdrawn=True)
    rooms, people = count(engine, RoomRow), count(engine, PersonRow)

    broken = programme()
    del broken.talks[0]  # withdrawn: written first
    broken.talks.append(Talk("Closing", at(17), at(17, 30), room="Annex", speakers=[Person("New")]))
    broken.talks[0].room = "Room 9"  # a new room and a change: written before the failure
    victim = copy.copy(broken.talks[2])
    victim.title = None  # type: ignore[assignment]  # matched by guid, fails NOT NULL on update
    broken.talks[2] = victim

    with pytest.raises(StoreError) as caught, session_scope(engine) as session:
        save_schedule(session, "ccprconf26", broken)
    assert "refused a change" in caught.value.message
    assert caught.value.hint == (
        "Nothing was saved. Try again; if it keeps failing, run 'livepost doctor'."
    )
    assert load(engine, include_withdrawn=True) == before
    assert (count(engine, RoomRow), count(engine, PersonRow)) == (rooms, people)


def test_only_delivery_states_skip_the_disk_flush(tmp_path: Path) -> None:
    """People's writes are fully durable; delivery's state changes (checked again by record key
    after a restart) commit without a flush, and never leave a pooled connection relaxed."""
    from sqlalchemy import text as sql

    engine = open_database(default_database_url(tmp_path))
    full, normal = 2, 1

    def mode(session: object) -> int:
        return int(session.execute(sql("PRAGMA synchronous")).scalar_one())  # type: ignore[attr-defined]

    with session_scope(engine) as session:
        assert mode(session) == full
    with session_scope(engine, durable=False) as session:
        assert mode(session) == normal
    for _ in range(3):  # whichever pooled connection comes back
        with session_scope(engine) as session:
            assert mode(session) == full
    engine.dispose()


def test_migration_0010_gives_earlier_posts_their_authors_identity(database_url: str) -> None:
    """Posts queued before identities existed belong, after the upgrade, to the member whose name
    they carried (by id now), or to the owner when no member had that name (the CLI's)."""
    from alembic import command

    engine = create_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0009")
        connection.execute(
            text(
                "INSERT INTO events (id, key, name, timezone, created_at, paused) "
                "VALUES (1, 'ev', 'Ev', 'UTC', :at, false)"
            ),
            {"at": datetime(2026, 1, 1, tzinfo=UTC)},
        )
        for member_id, name in ((7, "Ann"), (8, "ann")):  # told apart only by case, before
            connection.execute(
                text(
                    "INSERT INTO team_members (id, event_id, name, role, rooms, token_hash, "
                    "created_at) VALUES (:id, 1, :name, 'reporter', '[]', :hash, :at)"
                ),
                {
                    "id": member_id,
                    "name": name,
                    "hash": f"{member_id:064d}",
                    "at": datetime.now(UTC),
                },
            )
        for post_id, author, origin in (
            (1, "Ann", "manual"),
            (2, "jane", "manual"),
            (3, None, "plan"),
        ):
            connection.execute(
                text(
                    "INSERT INTO outbox (id, event_id, key, kind, origin, due_at, state, text, "
                    "facets, langs, tags, rkey, edited, attempts, planner_cancelled, "
                    "thread_fallback, version, created_at, updated_at, author) VALUES (:id, 1, "
                    ":key, 'free', :origin, :at, 'queued', 'x', '[]', '[]', '[]', :rkey, false, 0, "
                    "false, false, 0, :at, :at, :author)"
                ),
                {
                    "id": post_id,
                    "key": f"k{post_id}",
                    "origin": origin,
                    "at": datetime.now(UTC),
                    "rkey": f"3abc{post_id:09d}",
                    "author": author,
                },
            )
        command.upgrade(alembic_config(connection), "head")
        authors = connection.execute(text("SELECT id, author_id FROM outbox ORDER BY id")).all()
        keys = connection.execute(text("SELECT id, name_key FROM team_members ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in authors] == [(1, "member:7"), (2, "owner"), (3, None)]
    assert [tuple(r) for r in keys] == [(7, "ann"), (8, "ann#8")]
