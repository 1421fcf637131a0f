"""notification: a partial index on the due rows in claim order

Revision ID: 0034
Revises: 0032
Create Date: 2026-12-07 21:30:00

Issue 17: the worker claims the oldest due rows (``ORDER BY next_attempt_at, id LIMIT n``) among
pending, failed and sending ones. With only (status, next_attempt_at) PostgreSQL read and sorted
every outstanding row for each claim — 0.7 s per claim behind 100,000 alerts. This index holds only
the outstanding rows, in claim order, so a claim reads its n rows and stops; sent rows leave it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0034"
down_revision = "0032"
branch_labels = None
depends_on = None

OUTSTANDING = "status IN ('pending', 'failed', 'sending')"


def upgrade():
    op.create_index(
        "ix_notification_due",
        "notification",
        ["next_attempt_at", "id"],
        postgresql_where=sa.text(OUTSTANDING),
        sqlite_where=sa.text(OUTSTANDING),
    )


def downgrade():
    op.drop_index("ix_notification_due", table_name="notification")
