"""Initial schema: events, rooms, people, talks (with speakers) and note snippets.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("key", name=op.f("uq_events_key")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("affiliation", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_people_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint(
            "event_id", "name", "affiliation", name=op.f("uq_people_event_id_name_affiliation")
        ),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_rooms_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("event_id", "name", name=op.f("uq_rooms_event_id_name")),
    )
    op.create_table(
        "snippets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("talk_id", sa.String(length=100), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("pinned_at", sa.String(length=5), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_snippets_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snippets")),
        sa.UniqueConstraint(
            "event_id", "talk_id", "index", name=op.f("uq_snippets_event_id_talk_id_index")
        ),
    )
    op.create_table(
        "talks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("talk_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("track", sa.String(length=300), nullable=True),
        sa.Column("abstract", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source_id", sa.String(length=300), nullable=True),
        sa.Column("hashtags", sa.JSON(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_talks_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["rooms.id"], name=op.f("fk_talks_room_id_rooms"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talks")),
        sa.UniqueConstraint("event_id", "talk_id", name=op.f("uq_talks_event_id_talk_id")),
    )
    op.create_index(op.f("ix_talks_room_id"), "talks", ["room_id"], unique=False)
    op.create_index(op.f("ix_talks_start_utc"), "talks", ["start_utc"], unique=False)

    op.create_table(
        "talk_speakers",
        sa.Column("talk_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_talk_speakers_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["talk_pk"],
            ["talks.id"],
            name=op.f("fk_talk_speakers_talk_pk_talks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("talk_pk", "position", name=op.f("pk_talk_speakers")),
    )
    op.create_index(
        op.f("ix_talk_speakers_person_id"), "talk_speakers", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_talk_speakers_person_id"), table_name="talk_speakers")

    op.drop_table("talk_speakers")
    op.drop_index(op.f("ix_talks_start_utc"), table_name="talks")
    op.drop_index(op.f("ix_talks_room_id"), table_name="talks")

    op.drop_table("talks")
    op.drop_table("snippets")
    op.drop_table("rooms")
    op.drop_table("people")
    op.drop_table("events")
