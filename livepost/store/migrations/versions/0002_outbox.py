"""The outbox of posts to send, and the event-wide pause switch.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("paused", sa.Boolean(), server_default="0", nullable=False))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("talk_id", sa.String(length=100), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("facets", sa.JSON(), nullable=False),
        sa.Column("langs", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("embed", sa.JSON(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("root_id", sa.Integer(), nullable=True),
        sa.Column("rkey", sa.String(length=13), nullable=False),
        sa.Column("uri", sa.String(length=300), nullable=True),
        sa.Column("cid", sa.String(length=100), nullable=True),
        sa.Column("source_hash", sa.String(length=64), nullable=True),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_outbox_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_parent_id_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["root_id"], ["outbox.id"], name=op.f("fk_outbox_root_id_outbox"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", "key", name=op.f("uq_outbox_event_id_key")),
        sa.UniqueConstraint("rkey", name=op.f("uq_outbox_rkey")),
    )
    op.create_index(op.f("ix_outbox_due_at"), "outbox", ["due_at"])
    op.create_index(op.f("ix_outbox_state"), "outbox", ["state"])
    op.create_index(op.f("ix_outbox_talk_id"), "outbox", ["talk_id"])
    op.create_index(op.f("ix_outbox_parent_id"), "outbox", ["parent_id"])


def downgrade() -> None:
    op.drop_table("outbox")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("paused")
