"""store follow, site notice, follow alert day

Revision ID: 0031
Revises: 0023
Create Date: 2026-12-07 21:20:00

Issue 24 point 3, following a store:
- store_follow: a member following a seller's storefront (one row per pair, never oneself);
- site_notice: messages shown on the site ("new goods from the stores you follow");
- follow_alert_day: the one SMS and one e-mail per follower, store and local day that a followed
  store's new goods may cause (UNIQUE, so 50 lots in a minute send one of each).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('store_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follower_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('follower_id <> seller_id', name=op.f('ck_store_follow_not_self')),
    sa.ForeignKeyConstraint(['follower_id'], ['member.id'], name=op.f('fk_store_follow_follower_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seller_id'], ['member.id'], name=op.f('fk_store_follow_seller_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_follow')),
    sa.UniqueConstraint('follower_id', 'seller_id', name=op.f('uq_store_follow_follower_id_seller_id'))
    )
    op.create_index(op.f('ix_store_follow_follower_id'), 'store_follow', ['follower_id'], unique=False)
    op.create_index(op.f('ix_store_follow_seller_id'), 'store_follow', ['seller_id'], unique=False)
    op.create_table('site_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_site_notice_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_notice'))
    )
    op.create_index('ix_site_notice_member_id_id', 'site_notice', ['member_id', 'id'], unique=False)
    op.create_table('follow_alert_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=5), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.CheckConstraint("channel IN ('sms', 'email')", name=op.f('ck_follow_alert_day_channel_known')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_follow_alert_day_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seller_id'], ['member.id'], name=op.f('fk_follow_alert_day_seller_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_alert_day')),
    sa.UniqueConstraint('member_id', 'seller_id', 'channel', 'day', name=op.f('uq_follow_alert_day_member_id_seller_id_channel_day'))
    )
    op.create_index(op.f('ix_follow_alert_day_seller_id'), 'follow_alert_day', ['seller_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_follow_alert_day_seller_id'), table_name='follow_alert_day')
    op.drop_table('follow_alert_day')
    op.drop_index('ix_site_notice_member_id_id', table_name='site_notice')
    op.drop_table('site_notice')
    op.drop_index(op.f('ix_store_follow_seller_id'), table_name='store_follow')
    op.drop_index(op.f('ix_store_follow_follower_id'), table_name='store_follow')
    op.drop_table('store_follow')
