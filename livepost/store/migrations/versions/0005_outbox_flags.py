"""Two outbox flags as columns of their own instead of prefixes of ``last_error``.

``planner_cancelled`` (was ``last_error`` starting with ``"planner: "``) and ``thread_fallback``
(was ``"sent post by post: "``). Existing rows are carried over from their prefixes; the message
text stays in ``last_error`` for people to read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("planner_cancelled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("thread_fallback", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    outbox = sa.table(
        "outbox",
        sa.column("state", sa.String),
        sa.column("last_error", sa.Text),
        sa.column("planner_cancelled", sa.Boolean),
        sa.column("thread_fallback", sa.Boolean),
    )
    op.execute(
        outbox.update()
        .where(outbox.c.state == "cancelled", outbox.c.last_error.like("planner: %"))
        .values(planner_cancelled=True)
    )
    op.execute(
        outbox.update()
        .where(outbox.c.last_error.like("sent post by post: %"))
        .values(thread_fallback=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("thread_fallback")
        batch.drop_column("planner_cancelled")
