"""postings: saved searches, daily view counts of posting pages

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('q', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('commodity_id', sa.Integer(), nullable=True),
    sa.Column('province_code', sa.String(length=2), nullable=True),
    sa.Column('min_price', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('max_price', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('min_quantity', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('', 'sell', 'buy')", name=op.f('ck_saved_search_kind_known')),
    sa.CheckConstraint('min_price IS NULL OR min_price > 0', name=op.f('ck_saved_search_min_price_positive')),
    sa.CheckConstraint('max_price IS NULL OR max_price > 0', name=op.f('ck_saved_search_max_price_positive')),
    sa.CheckConstraint('min_quantity IS NULL OR min_quantity > 0', name=op.f('ck_saved_search_min_quantity_positive')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_saved_search_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_saved_search_category_id_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commodity_id'], ['commodity.id'], name=op.f('fk_saved_search_commodity_id_commodity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['province_code'], ['region.code'], name=op.f('fk_saved_search_province_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search'))
    )
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_search_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_search_commodity_id'), ['commodity_id'], unique=False)

    op.create_table('posting_view_day',
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_posting_view_day_posting_id_posting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('posting_id', 'day', name=op.f('pk_posting_view_day'))
    )


def downgrade():
    op.drop_table('posting_view_day')
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_commodity_id'))
        batch_op.drop_index(batch_op.f('ix_saved_search_category_id'))
        batch_op.drop_index(batch_op.f('ix_saved_search_member_id'))

    op.drop_table('saved_search')
