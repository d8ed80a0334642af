"""The comms team: members with a role and a hashed personal token; who queued, edited or
cancelled each post; the client's idempotency key of posts sent through the API.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("rooms", sa.JSON(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_team_members_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint("event_id", "name", name=op.f("uq_team_members_event_id_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_team_members_token_hash")),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("author", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("edited_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("client_key", sa.String(length=250), nullable=True))
        batch.create_unique_constraint(op.f("uq_outbox_client_key"), ["client_key"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("uq_outbox_client_key"), type_="unique")
        batch.drop_column("client_key")
        batch.drop_column("cancelled_by")
        batch.drop_column("edited_by")
        batch.drop_column("author")
    op.drop_table("team_members")
