"""Broadcasts: one message (a content key) to the active subscribers of a segment, at a time, by a
staff member; its state, the durable cursor (the last subscription id queued) and its counts.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("namespace", sa.String(64), nullable=False),
        sa.Column("content_key", sa.String(128), nullable=False),
        sa.Column("segment", sa.JSON, nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("cursor", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_id", sa.Integer, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("queued", sa.Integer, nullable=False, server_default="0"),
        sa.Column("skipped_no_template", sa.Integer, nullable=False, server_default="0"),
        sa.Column("skipped_no_address", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fallback_to_spanish", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("delivered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_broadcasts_state", "broadcasts", ["state"])


def downgrade() -> None:
    op.drop_index("ix_broadcasts_state", table_name="broadcasts")
    op.drop_table("broadcasts")
