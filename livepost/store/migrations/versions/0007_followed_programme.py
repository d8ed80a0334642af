"""Speakers' Bluesky handles, a followed programme URL's fetch state, resolved handles.

``people.handle`` is the speaker's handle (from the programme or the people file);
``schedule_fetches`` keeps, per event, what the last fetch of an ``http(s)`` programme answered
(ETag, Last-Modified) and whether the last try worked; ``handle_checks`` caches what
``resolveHandle`` said about a handle, so ``plan`` stays fast.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("handle", sa.String(length=300), nullable=True))
    op.create_table(
        "schedule_fetches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_schedule_fetches_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_fetches")),
        sa.UniqueConstraint("event_id", name=op.f("uq_schedule_fetches_event_id")),
    )
    op.create_table(
        "handle_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=300), nullable=False),
        sa.Column("handle", sa.String(length=300), nullable=False),
        sa.Column("did", sa.String(length=200), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handle_checks")),
        sa.UniqueConstraint("service", "handle", name=op.f("uq_handle_checks_service_handle")),
    )


def downgrade() -> None:
    op.drop_table("handle_checks")
    op.drop_table("schedule_fetches")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("handle")
