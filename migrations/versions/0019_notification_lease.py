"""notification lease: claimed_by and claimed_until for rows a worker is sending

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:30:00

Issue 23: a worker claimed a batch and recorded every outcome at the end, so a killed or restarted
worker's whole batch went out again. Rows are now claimed with a lease — claimed_by (the worker) and
claimed_until (renewed while it works) — and each outcome is committed as soon as the provider
answers. Rows already in "sending" keep their old deadline (next_attempt_at) as their lease.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification") as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE notification SET claimed_by = 'before-0019', claimed_until = next_attempt_at WHERE status = 'sending'"
    )


def downgrade():
    # The old worker read a claim's deadline from next_attempt_at.
    op.execute(
        "UPDATE notification SET next_attempt_at = claimed_until "
        "WHERE status = 'sending' AND claimed_until IS NOT NULL"
    )
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild the table, and dropping the old
    # one with foreign keys on would null console_sms.notification_id (ON DELETE SET NULL).
    for column in ("claimed_until", "claimed_by"):
        op.execute(f"ALTER TABLE notification DROP COLUMN {column}")
