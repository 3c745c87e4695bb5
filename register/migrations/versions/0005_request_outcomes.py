"""A signed request's claim is answered or released (a claim nobody answered lapses),
and the intake's Idempotency-Keys remember the request they came with.

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
    with op.batch_alter_table("signed_requests") as table:
        table.add_column(sa.Column("answered", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "idempotency_keys",
        sa.Column("key_digest", sa.String(64), primary_key=True),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("signed_requests") as table:
        table.drop_column("answered")
