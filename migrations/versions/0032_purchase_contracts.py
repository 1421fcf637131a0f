"""Purchase contracts: versions with their frozen texts and each party's acceptance

Revision ID: 0032
Revises: 0029
Create Date: 2026-12-07 21:11:45

Issue 24 point 4 (docs/contracts.md): ``contract_version`` keeps each accepted version of an order's
contract (Chinese and English text, each with its SHA-256, and the fingerprint of the order terms it
was rendered from), numbered per order; ``contract_acceptance`` records who accepted which version,
when, by web or SMS, and the SHA-256 of the exact text accepted — once per member per version.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contract_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=16), nullable=False),
    sa.Column('terms_sha256', sa.String(length=64), nullable=False),
    sa.Column('text_zh', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('sha256_zh', sa.String(length=64), nullable=False),
    sa.Column('sha256_en', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_contract_version_number_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['trade_order.id'], name=op.f('fk_contract_version_order_id_trade_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_version')),
    sa.UniqueConstraint('order_id', 'number', name=op.f('uq_contract_version_order_id_number'))
    )
    with op.batch_alter_table('contract_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_version_order_id'), ['order_id'], unique=False)

    op.create_table('contract_acceptance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=6), nullable=False),
    sa.Column('channel', sa.String(length=3), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('web', 'sms')", name=op.f('ck_contract_acceptance_channel_known')),
    sa.CheckConstraint("language IN ('zh', 'en')", name=op.f('ck_contract_acceptance_language_known')),
    sa.CheckConstraint("role IN ('buyer', 'seller')", name=op.f('ck_contract_acceptance_role_known')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_contract_acceptance_member_id_member')),
    sa.ForeignKeyConstraint(['version_id'], ['contract_version.id'], name=op.f('fk_contract_acceptance_version_id_contract_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_acceptance')),
    sa.UniqueConstraint('version_id', 'member_id', name=op.f('uq_contract_acceptance_version_id_member_id'))
    )
    with op.batch_alter_table('contract_acceptance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_acceptance_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('contract_acceptance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_acceptance_version_id'))

    op.drop_table('contract_acceptance')
    with op.batch_alter_table('contract_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_version_order_id'))

    op.drop_table('contract_version')
