"""admin and trust: reports, suspensions, audit log, help pages

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('suspended_permanently', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('suspended_permanently')
        batch_op.drop_column('suspended_until')
