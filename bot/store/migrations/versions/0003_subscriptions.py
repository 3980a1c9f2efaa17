"""Weekly tips: who subscribed (by keyed hash), in which language, audience, channel and city, when, to
which consent text; and the durable mark of the last tip sent.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_key", sa.String(64), nullable=False, unique=True),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("city", sa.String(32), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text_version", sa.String(80), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(16), nullable=True),
        sa.Column("tips_sent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_slot", sa.String(10), nullable=True),
    )
    op.create_index("ix_subscriptions_ended_at", "subscriptions", ["ended_at"])


def downgrade() -> None:
    op.drop_index("ix_subscriptions_ended_at", table_name="subscriptions")
    op.drop_table("subscriptions")
