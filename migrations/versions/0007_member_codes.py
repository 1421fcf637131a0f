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

    op.create_table('one_time_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requester_ip', sa.String(length=45), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('verify_phone', 'reset_password', 'reset_link')", name=op.f('ck_one_time_code_purpose_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_one_time_code_attempts_nonnegative')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_one_time_code_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_code'))
    )
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_code_code_hash'), ['code_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_code_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_code_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_code_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_code_requester_ip'), ['requester_ip'], unique=False)


def downgrade():
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_code_requester_ip'))
        batch_op.drop_index(batch_op.f('ix_one_time_code_phone'))
        batch_op.drop_index(batch_op.f('ix_one_time_code_member_id'))
        batch_op.drop_index(batch_op.f('ix_one_time_code_email'))
        batch_op.drop_index(batch_op.f('ix_one_time_code_code_hash'))

    op.drop_table('one_time_code')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('phone_verified_at')
