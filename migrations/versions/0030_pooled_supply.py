"""Pooled supply (拼单): buy requests open to parts, parts, farmers' shares, split shares

Revision ID: 0030
Revises: 0031
Create Date: 2026-12-07 21:14:29

Issue 24 point 2: a big buy request filled by parts from several sellers (``pool_request``,
``pool_part``); an information station's part pools its farmers' lots, each farmer's share with its
amount, fee and pay-out (``pool_share``); split settlement pays each farmer's share under its own
request number (``payment_split_share``).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pool_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('min_part_quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('min_part_quantity > 0', name=op.f('ck_pool_request_min_part_positive')),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_pool_request_posting_id_posting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_request')),
    sa.UniqueConstraint('posting_id', name=op.f('uq_pool_request_posting_id'))
    )
    op.create_table('pool_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('pooled', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('delivery', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('offered', 'accepted', 'declined', 'withdrawn', 'lapsed')", name=op.f('ck_pool_part_status_known')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_pool_part_quantity_positive')),
    sa.CheckConstraint('unit_price > 0', name=op.f('ck_pool_part_unit_price_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['trade_order.id'], name=op.f('fk_pool_part_order_id_trade_order'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_pool_part_posting_id_posting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seller_id'], ['member.id'], name=op.f('fk_pool_part_seller_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_part')),
    sa.UniqueConstraint('order_id', name=op.f('uq_pool_part_order_id'))
    )
    with op.batch_alter_table('pool_part', schema=None) as batch_op:
        batch_op.create_index('ix_pool_part_posting_status', ['posting_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_pool_part_seller_id'), ['seller_id'], unique=False)

    op.create_table('pool_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('farmer_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('fee', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payout', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.CheckConstraint('fee >= 0 AND payout >= 0', name=op.f('ck_pool_share_money_nonnegative')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_pool_share_quantity_positive')),
    sa.ForeignKeyConstraint(['farmer_id'], ['member.id'], name=op.f('fk_pool_share_farmer_id_member')),
    sa.ForeignKeyConstraint(['part_id'], ['pool_part.id'], name=op.f('fk_pool_share_part_id_pool_part'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_share')),
    sa.UniqueConstraint('part_id', 'farmer_id', name=op.f('uq_pool_share_part_id_farmer_id'))
    )
    with op.batch_alter_table('pool_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_share_farmer_id'), ['farmer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pool_share_part_id'), ['part_id'], unique=False)

    op.create_table('payment_split_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('out_request_no', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('paid_out_minor', sa.Integer(), nullable=False),
    sa.Column('receiver_account_type', sa.String(length=32), nullable=False),
    sa.Column('receiver_account', sa.String(length=128), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('paid_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_minor >= 0', name=op.f('ck_payment_split_share_amount_nonnegative')),
    sa.CheckConstraint('paid_out_minor >= 0', name=op.f('ck_payment_split_share_paid_out_nonnegative')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_payment_split_share_member_id_member')),
    sa.ForeignKeyConstraint(['settlement_id'], ['payment_split_settlement.id'], name=op.f('fk_payment_split_share_settlement_id_payment_split_settlement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_split_share')),
    sa.UniqueConstraint('out_request_no', name=op.f('uq_payment_split_share_out_request_no')),
    sa.UniqueConstraint('settlement_id', 'member_id', name=op.f('uq_payment_split_share_settlement_id_member_id'))
    )
    with op.batch_alter_table('payment_split_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_split_share_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_split_share_paid_out_at'), ['paid_out_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_split_share_settlement_id'), ['settlement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('payment_split_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_split_share_settlement_id'))
        batch_op.drop_index(batch_op.f('ix_payment_split_share_paid_out_at'))
        batch_op.drop_index(batch_op.f('ix_payment_split_share_member_id'))

    op.drop_table('payment_split_share')
    with op.batch_alter_table('pool_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pool_share_part_id'))
        batch_op.drop_index(batch_op.f('ix_pool_share_farmer_id'))

    op.drop_table('pool_share')
    with op.batch_alter_table('pool_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pool_part_seller_id'))
        batch_op.drop_index('ix_pool_part_posting_status')

    op.drop_table('pool_part')
    op.drop_table('pool_request')
