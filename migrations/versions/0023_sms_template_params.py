"""SMS as template + parameters, and urgent rows claimed first

Revision ID: 0023
Revises: 0028
Create Date: 2026-12-07 18:40:00

Issue 17: mainland providers send approved templates with parameters, so every outbox SMS keeps
its registry template (``template``, already there), its parameters (``template_params``, new, JSON)
and the rendered text (``body``). Rows written before this have no parameters: the worker sends
their text as before. A partial index on the due urgent rows lets the worker claim codes before
100,000 pending alerts without sorting them.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(sa.Column("template_params", sa.JSON(), nullable=True))
    op.create_index(
        "ix_notification_urgent_due",
        "notification",
        ["status", "next_attempt_at"],
        postgresql_where=sa.text("urgent"),
        sqlite_where=sa.text("urgent"),
    )


def downgrade():
    op.drop_index("ix_notification_urgent_due", table_name="notification")
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_column("template_params")
