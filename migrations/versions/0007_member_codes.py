"""members: phone verification codes, password reset

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_verified_at', sa.DateTime(timezone=True), nullable=True))
    # Members who signed up before phone verification existed keep getting SMS, as they did.
    op.execute("UPDATE member SET phone_verified_at = created_at WHERE password_hash IS NOT NULL")


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('phone_verified_at')
