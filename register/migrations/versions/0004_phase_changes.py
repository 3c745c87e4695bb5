"""Every phase each engagement entered, and whether its contact SLA was met: the board's trends.

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
    with op.batch_alter_table("engagements") as table:
        table.add_column(sa.Column("contact_made_at", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("contact_sla_breached", sa.Boolean()))
    op.create_table(
        "phase_changes",
        sa.Column("record_id", sa.String(200), sa.ForeignKey("engagements.record_id"), primary_key=True),
        sa.Column("phase", sa.String(32), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_phase_changes_since", "phase_changes", ["since"])
    op.create_index("ix_engagements_closed_at", "engagements", ["closed_at"])
    # What the records of engagements that ran already say: the phase each is in now, since when.
    # (A claim whose workflow never ran has none: the register may still withdraw it.)
    op.execute("INSERT INTO phase_changes (record_id, phase, since) "
               "SELECT record_id, phase, phase_since FROM engagements WHERE first_run_id IS NOT NULL")


def downgrade() -> None:
    op.drop_index("ix_engagements_closed_at", "engagements")
    op.drop_index("ix_phase_changes_since", "phase_changes")
    op.drop_table("phase_changes")
    with op.batch_alter_table("engagements") as table:
        table.drop_column("contact_sla_breached")
        table.drop_column("contact_made_at")
