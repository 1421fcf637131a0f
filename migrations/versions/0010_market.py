"""market prices: observations, reference prices, subscriptions

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('market_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('market_name', sa.String(length=100), nullable=False),
    sa.Column('commodity_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('unit_code', sa.String(length=16), nullable=False),
    sa.Column('price_per_kg', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('price > 0', name=op.f('ck_market_report_price_positive')),
    sa.ForeignKeyConstraint(['commodity_id'], ['commodity.id'], name=op.f('fk_market_report_commodity_id_commodity')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['member.id'], name=op.f('fk_market_report_entered_by_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['province_code'], ['region.code'], name=op.f('fk_market_report_province_code_region')),
    sa.ForeignKeyConstraint(['unit_code'], ['unit.code'], name=op.f('fk_market_report_unit_code_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_report'))
    )
    with op.batch_alter_table('market_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_report_commodity_id'), ['commodity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_report_entered_by_id'), ['entered_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_report_observed_on'), ['observed_on'], unique=False)

    op.create_table('price_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('commodity_id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=2), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=5), nullable=False),
    sa.Column('target_price_per_kg', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('threshold_percent', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('sms', 'email')", name=op.f('ck_price_subscription_channel_known')),
    sa.CheckConstraint('target_price_per_kg IS NULL OR target_price_per_kg > 0', name=op.f('ck_price_subscription_target_positive')),
    sa.CheckConstraint('threshold_percent IS NULL OR (threshold_percent > 0 AND threshold_percent <= 100)', name=op.f('ck_price_subscription_threshold_range')),
    sa.ForeignKeyConstraint(['commodity_id'], ['commodity.id'], name=op.f('fk_price_subscription_commodity_id_commodity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_price_subscription_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['member.id'], name=op.f('fk_price_subscription_station_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_subscription')),
    sa.UniqueConstraint('phone', 'commodity_id', 'area_code', name=op.f('uq_price_subscription_phone_commodity_id_area_code'))
    )
    with op.batch_alter_table('price_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_subscription_commodity_id'), ['commodity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_subscription_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_subscription_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_subscription_station_id'), ['station_id'], unique=False)

    op.create_table('reference_price',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commodity_id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=2), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('trade_price_per_kg', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('trade_volume_kg', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('median_ask_per_kg', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('median_bid_per_kg', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('report_price_per_kg', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('min_per_kg', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('max_per_kg', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('observation_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commodity_id'], ['commodity.id'], name=op.f('fk_reference_price_commodity_id_commodity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_price')),
    sa.UniqueConstraint('commodity_id', 'area_code', 'day', name=op.f('uq_reference_price_commodity_id_area_code_day'))
    )
    with op.batch_alter_table('reference_price', schema=None) as batch_op:
        batch_op.create_index('ix_reference_price_area_day', ['area_code', 'day'], unique=False)

    op.create_table('price_alert_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('digest', 'threshold', 'target')", name=op.f('ck_price_alert_delivery_kind_known')),
    sa.ForeignKeyConstraint(['subscription_id'], ['price_subscription.id'], name=op.f('fk_price_alert_delivery_subscription_id_price_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_alert_delivery')),
    sa.UniqueConstraint('subscription_id', 'day', 'kind', name=op.f('uq_price_alert_delivery_subscription_id_day_kind'))
    )
    op.create_table('price_observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=6), nullable=False),
    sa.Column('commodity_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=True),
    sa.Column('price_per_kg', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('quantity_kg', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('trade', 'ask', 'bid', 'report')", name=op.f('ck_price_observation_source_known')),
    sa.CheckConstraint('price_per_kg > 0', name=op.f('ck_price_observation_price_positive')),
    sa.ForeignKeyConstraint(['commodity_id'], ['commodity.id'], name=op.f('fk_price_observation_commodity_id_commodity')),
    sa.ForeignKeyConstraint(['order_id'], ['trade_order.id'], name=op.f('fk_price_observation_order_id_trade_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_price_observation_posting_id_posting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['province_code'], ['region.code'], name=op.f('fk_price_observation_province_code_region')),
    sa.ForeignKeyConstraint(['report_id'], ['market_report.id'], name=op.f('fk_price_observation_report_id_market_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_observation')),
    sa.UniqueConstraint('order_id', name=op.f('uq_price_observation_order_id')),
    sa.UniqueConstraint('posting_id', 'observed_on', name=op.f('uq_price_observation_posting_id_observed_on')),
    sa.UniqueConstraint('report_id', name=op.f('uq_price_observation_report_id'))
    )
    with op.batch_alter_table('price_observation', schema=None) as batch_op:
        batch_op.create_index('ix_price_observation_commodity_day', ['commodity_id', 'observed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_observation_observed_on'), ['observed_on'], unique=False)


def downgrade():
    with op.batch_alter_table('price_observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_observation_observed_on'))
        batch_op.drop_index('ix_price_observation_commodity_day')

    op.drop_table('price_observation')
    op.drop_table('price_alert_delivery')
    with op.batch_alter_table('reference_price', schema=None) as batch_op:
        batch_op.drop_index('ix_reference_price_area_day')

    op.drop_table('reference_price')
    with op.batch_alter_table('price_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_subscription_station_id'))
        batch_op.drop_index(batch_op.f('ix_price_subscription_phone'))
        batch_op.drop_index(batch_op.f('ix_price_subscription_member_id'))
        batch_op.drop_index(batch_op.f('ix_price_subscription_commodity_id'))

    op.drop_table('price_subscription')
    with op.batch_alter_table('market_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_report_observed_on'))
        batch_op.drop_index(batch_op.f('ix_market_report_entered_by_id'))
        batch_op.drop_index(batch_op.f('ix_market_report_commodity_id'))

    op.drop_table('market_report')
