"""When each engagement's customer last opened their page.

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
        "page_visits",
        sa.Column("engagement_id", sa.String(200), primary_key=True),
        sa.Column("last_opened_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("page_visits")
