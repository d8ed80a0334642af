"""The engagement archive: other people's posts, engagement snapshots, sync state.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _event_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["event_id"], ["events.id"], name=op.f(f"fk_{table}_event_id_events"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "archived_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("uri", sa.String(length=300), nullable=False),
        sa.Column("cid", sa.String(length=100), nullable=False),
        sa.Column("author_did", sa.String(length=200), nullable=False),
        sa.Column("author_handle", sa.String(length=300), nullable=False),
        sa.Column("author_name", sa.String(length=640), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("facets", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("image_alts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply_parent", sa.String(length=300), nullable=True),
        sa.Column("reply_root", sa.String(length=300), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("matched_tag", sa.String(length=640), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _event_fk("archived_posts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archived_posts")),
        sa.UniqueConstraint("event_id", "uri", name=op.f("uq_archived_posts_event_id_uri")),
    )
    op.create_index(op.f("ix_archived_posts_created_at"), "archived_posts", ["created_at"])
    op.create_index(op.f("ix_archived_posts_reply_root"), "archived_posts", ["reply_root"])
    op.create_table(
        "engagement_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("uri", sa.String(length=300), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.Column("reposts", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.Column("quotes", sa.Integer(), nullable=False),
        sa.Column("bookmarks", sa.Integer(), nullable=True),
        _event_fk("engagement_snapshots"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_snapshots")),
    )
    op.create_index(
        "ix_engagement_snapshots_event_id_uri_taken_at",
        "engagement_snapshots",
        ["event_id", "uri", "taken_at"],
    )
    op.create_table(
        "archive_sync",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=700), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("mark", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pass_mark", sa.DateTime(timezone=True), nullable=True),
        _event_fk("archive_sync"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_sync")),
        sa.UniqueConstraint("event_id", "kind", name=op.f("uq_archive_sync_event_id_kind")),
    )


def downgrade() -> None:
    op.drop_table("archive_sync")
    op.drop_index("ix_engagement_snapshots_event_id_uri_taken_at", "engagement_snapshots")
    op.drop_table("engagement_snapshots")
    op.drop_table("archived_posts")
