"""Analytics without personal data: one row per event (hour, week, channel, language, audience, city, flow,
step, kind, detail, category, value, a weekly pseudonym where people are counted), and the markers that
make the flusher's inserts exactly-once.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("week", sa.Date, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("audience", sa.String(16), nullable=True),
        sa.Column("city", sa.String(32), nullable=True),
        sa.Column("flow", sa.String(64), nullable=True),
        sa.Column("step", sa.String(64), nullable=True),
        sa.Column("detail", sa.String(64), nullable=True),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("value", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(16), nullable=True),
    )
    op.create_index("ix_analytics_events_at", "analytics_events", ["at"])
    op.create_index("ix_analytics_events_kind_at", "analytics_events", ["kind", "at"])
    op.create_table(
        "analytics_batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("flushed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_analytics_batches_flushed_at", "analytics_batches", ["flushed_at"])


def downgrade() -> None:
    op.drop_index("ix_analytics_batches_flushed_at", table_name="analytics_batches")
    op.drop_table("analytics_batches")
    op.drop_index("ix_analytics_events_kind_at", table_name="analytics_events")
    op.drop_index("ix_analytics_events_at", table_name="analytics_events")
    op.drop_table("analytics_events")
