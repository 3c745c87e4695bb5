"""The benefit register: engagements, tenants (R4), orders, and the messages delivered.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engagements",
        sa.Column("record_id", sa.String(200), primary_key=True),
        sa.Column("engagement_id", sa.String(250), nullable=False, index=True),
        sa.Column("tenant_id", sa.String(64), nullable=False, index=True),
        sa.Column("first_run_id", sa.String(64)),
        sa.Column("latest_run_id", sa.String(64)),
        sa.Column("phase", sa.String(32), nullable=False),
        sa.Column("phase_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.JSON),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("final_state", sa.Text),
        sa.Column("report", sa.Text),
    )
    op.create_table(
        "tenants",
        sa.Column("tenant_id", sa.String(64), primary_key=True),
        sa.Column("record_id", sa.String(200), sa.ForeignKey("engagements.record_id"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(200), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(200), sa.ForeignKey("engagements.record_id"), nullable=False, index=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("message_id", sa.String(300), primary_key=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("orders")
    op.drop_table("tenants")
    op.drop_table("engagements")
