"""Identities, not names: who queued, edited and cancelled a post by identity (``owner``,
``member:<id>``); team names distinct case-insensitively; an audit log of every change.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()[:100]


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("author_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("edited_by_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("cancelled_by_id", sa.String(length=40), nullable=True))
        batch.create_index(op.f("ix_outbox_author_id"), ["author_id"])
    with op.batch_alter_table("team_members") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=100), nullable=True))
    with op.batch_alter_table("wall_log") as batch:
        batch.add_column(sa.Column("actor_id", sa.String(length=40), nullable=True))

    connection = op.get_bind()
    members = sa.table(
        "team_members",
        sa.column("id", sa.Integer),
        sa.column("event_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
    )
    outbox = sa.table(
        "outbox",
        sa.column("event_id", sa.Integer),
        sa.column("author", sa.String),
        sa.column("author_id", sa.String),
        sa.column("origin", sa.String),
    )
    seen: set[tuple[int, str]] = set()
    for row in connection.execute(sa.select(members).order_by(members.c.id)):
        key = _key(row.name)
        if (row.event_id, key) in seen:  # two names told apart only by case: keep both apart
            key = f"{key}#{row.id}"[:100]
        seen.add((row.event_id, key))
        connection.execute(members.update().where(members.c.id == row.id).values(name_key=key))
        # a member's earlier posts are theirs, by id now (the name was the only link)
        connection.execute(
            outbox.update()
            .where(outbox.c.event_id == row.event_id, outbox.c.author == row.name)
            .values(author_id=f"member:{row.id}")
        )
    # posts queued by hand that no member wrote were the command line's: the owner's
    connection.execute(
        outbox.update()
        .where(outbox.c.author_id.is_(None), outbox.c.origin == "manual")
        .values(author_id="owner")
    )
    with op.batch_alter_table("team_members") as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=100), nullable=False)
        batch.create_unique_constraint(
            op.f("uq_team_members_event_id_name_key"), ["event_id", "name_key"]
        )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=40), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_audit_log_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_event_id"), "audit_log", ["event_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_event_id"), table_name="audit_log")
    op.drop_table("audit_log")
    with op.batch_alter_table("team_members") as batch:
        batch.drop_constraint(op.f("uq_team_members_event_id_name_key"), type_="unique")
        batch.drop_column("name_key")
    with op.batch_alter_table("wall_log") as batch:
        batch.drop_column("actor_id")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(op.f("ix_outbox_author_id"))
        batch.drop_column("cancelled_by_id")
        batch.drop_column("edited_by_id")
        batch.drop_column("author_id")
