"""notify policy: preferences, opt-outs, delivery status, SMS caps

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed', 'dead')"
NEW_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'skipped')"
DELIVERY_STATUSES = (
    "delivery_status IS NULL OR delivery_status IN "
    "('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed')"
)


def upgrade():
    op.create_table('sms_opt_out',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('keyword', sa.String(length=20), nullable=False),
    sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opted_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_opt_out')),
    sa.UniqueConstraint('phone', name=op.f('uq_sms_opt_out_phone'))
    )
    op.create_table('notification_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=5), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.CheckConstraint("channel IN ('sms', 'email')", name=op.f('ck_notification_preference_channel_known')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_notification_preference_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
    sa.UniqueConstraint('member_id', 'category', 'channel', name=op.f('uq_notification_preference_member_id_category_channel'))
    )
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preference_member_id'), ['member_id'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('delivery_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('delivery_updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('delivery_error_code', sa.String(length=12), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_notification_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notification_status_known'), NEW_STATUSES)
        batch_op.create_check_constraint(batch_op.f('ck_notification_delivery_status_known'), DELIVERY_STATUSES)
        batch_op.create_index('ix_notification_member_id_created_at', ['member_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notification_provider_id', ['provider_id'], unique=False)


def downgrade():
    # Rows the new policy skipped cannot exist under the old CHECK: record them as given up.
    op.execute("UPDATE notification SET status = 'dead' WHERE status = 'skipped'")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_provider_id')
        batch_op.drop_index('ix_notification_member_id_created_at')
        batch_op.drop_constraint(batch_op.f('ck_notification_delivery_status_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_notification_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notification_status_known'), OLD_STATUSES)
        batch_op.drop_column('delivery_error_code')
        batch_op.drop_column('delivery_updated_at')
        batch_op.drop_column('delivery_status')
        batch_op.drop_column('urgent')

    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_preference_member_id'))

    op.drop_table('notification_preference')
    op.drop_table('sms_opt_out')
