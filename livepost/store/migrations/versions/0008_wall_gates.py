"""The venue wall, reply control and an archive that honours deletions.

``archive_tombstones`` keeps the URIs of community posts gone from Bluesky, so a lagging search
index cannot bring them back; ``archived_posts.images`` keeps each image's alt text and address;
``wall_moderation`` is what the officers decided (hide, pin, block) and ``wall_log`` who did
what; ``gate_writes`` holds the threadgate and postgate records to write (or retry).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _event_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["event_id"], ["events.id"], name=op.f(f"fk_{table}_event_id_events"), ondelete="CASCADE"
    )


def upgrade() -> None:
    with op.batch_alter_table("archived_posts") as batch:
        batch.add_column(sa.Column("images", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "archive_tombstones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("uri", sa.String(length=300), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        _event_fk("archive_tombstones"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_tombstones")),
        sa.UniqueConstraint("event_id", "uri", name=op.f("uq_archive_tombstones_event_id_uri")),
    )
    op.create_table(
        "wall_moderation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("target_did", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _event_fk("wall_moderation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wall_moderation")),
        sa.UniqueConstraint(
            "event_id", "action", "target", name=op.f("uq_wall_moderation_event_id_action_target")
        ),
    )
    op.create_table(
        "wall_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        _event_fk("wall_log"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wall_log")),
    )
    op.create_table(
        "gate_writes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("rkey", sa.String(length=20), nullable=False),
        sa.Column("post_uri", sa.String(length=300), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _event_fk("gate_writes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_writes")),
        sa.UniqueConstraint(
            "event_id", "collection", "rkey", name=op.f("uq_gate_writes_event_id_collection_rkey")
        ),
    )


def downgrade() -> None:
    op.drop_table("gate_writes")
    op.drop_table("wall_log")
    op.drop_table("wall_moderation")
    op.drop_table("archive_tombstones")
    with op.batch_alter_table("archived_posts") as batch:
        batch.drop_column("images")
