"""basket orders (购物车) and order lines

Revision ID: 0029
Revises: 0033
Create Date: 2026-12-07 21:08:10

Issue 24 point 1: an order may hold several lots of one seller. ``order_line`` holds each lot
(posting, snapshot of the goods, quantity, unit price, line total); every existing order gets one
line copied from its own columns, so the whole app can read lines the same way. ``basket_item`` is
a buyer's basket, kept in the database. ``trade_order.checkout_key`` (UNIQUE) is a basket
checkout's idempotency key, so a double submit creates each seller's order once.
``basket_quote`` and ``basket_quote_line`` carry a negotiation over one seller's basket: the buyer
asks (optionally with a price per line), the seller quotes a price per line, the buyer accepts.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "basket_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_basket_item_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["member.id"], name=op.f("fk_basket_item_buyer_id_member"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["posting.id"], name=op.f("fk_basket_item_posting_id_posting"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_basket_item")),
        sa.UniqueConstraint("buyer_id", "posting_id", name=op.f("uq_basket_item_buyer_id_posting_id")),
    )
    with op.batch_alter_table("basket_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_basket_item_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_basket_item_posting_id"), ["posting_id"], unique=False)

    op.create_table(
        "order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("sell_posting_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("commodity_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=16), nullable=False),
        sa.Column("origin_province_code", sa.String(length=2), nullable=True),
        sa.Column("harvest_date", sa.Date(), nullable=True),
        sa.Column("seller_lot_reference", sa.String(length=40), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_line_quantity_positive")),
        sa.CheckConstraint("total >= 0", name=op.f("ck_order_line_total_nonnegative")),
        sa.CheckConstraint("unit_price > 0", name=op.f("ck_order_line_unit_price_positive")),
        sa.ForeignKeyConstraint(["commodity_id"], ["commodity.id"], name=op.f("fk_order_line_commodity_id_commodity")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["trade_order.id"], name=op.f("fk_order_line_order_id_trade_order"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["origin_province_code"], ["region.code"], name=op.f("fk_order_line_origin_province_code_region")
        ),
        sa.ForeignKeyConstraint(["posting_id"], ["posting.id"], name=op.f("fk_order_line_posting_id_posting")),
        sa.ForeignKeyConstraint(
            ["sell_posting_id"], ["posting.id"], name=op.f("fk_order_line_sell_posting_id_posting")
        ),
        sa.ForeignKeyConstraint(["unit_code"], ["unit.code"], name=op.f("fk_order_line_unit_code_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line")),
        sa.UniqueConstraint("order_id", "posting_id", name=op.f("uq_order_line_order_id_posting_id")),
    )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_line_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_line_posting_id"), ["posting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_line_sell_posting_id"), ["sell_posting_id"], unique=False)

    # Plain ALTER TABLE ADD COLUMN and a unique index: a batch operation would rebuild trade_order
    # on SQLite and drop the triggers of migration 0015 that keep one order per offer.
    op.add_column("trade_order", sa.Column("checkout_key", sa.String(length=80), nullable=True))
    op.create_index("ix_trade_order_checkout_key", "trade_order", ["checkout_key"], unique=True)

    op.create_table('basket_quote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('delivery', sa.String(length=8), nullable=False),
    sa.Column('buyer_message', sa.Text(), nullable=False),
    sa.Column('seller_message', sa.Text(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('buyer_id <> seller_id', name=op.f('ck_basket_quote_parties_differ')),
    sa.ForeignKeyConstraint(['buyer_id'], ['member.id'], name=op.f('fk_basket_quote_buyer_id_member')),
    sa.ForeignKeyConstraint(['order_id'], ['trade_order.id'], name=op.f('fk_basket_quote_order_id_trade_order')),
    sa.ForeignKeyConstraint(['seller_id'], ['member.id'], name=op.f('fk_basket_quote_seller_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basket_quote')),
    sa.UniqueConstraint('order_id', name=op.f('uq_basket_quote_order_id'))
    )
    with op.batch_alter_table('basket_quote', schema=None) as batch_op:
        batch_op.create_index('ix_basket_quote_buyer_status', ['buyer_id', 'status'], unique=False)
        batch_op.create_index('ix_basket_quote_seller_status', ['seller_id', 'status'], unique=False)

    op.create_table('basket_quote_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('asked_price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('quoted_price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.CheckConstraint('asked_price IS NULL OR asked_price > 0', name=op.f('ck_basket_quote_line_asked_price_positive')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_basket_quote_line_quantity_positive')),
    sa.CheckConstraint('quoted_price IS NULL OR quoted_price > 0', name=op.f('ck_basket_quote_line_quoted_price_positive')),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_basket_quote_line_posting_id_posting')),
    sa.ForeignKeyConstraint(['quote_id'], ['basket_quote.id'], name=op.f('fk_basket_quote_line_quote_id_basket_quote'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basket_quote_line')),
    sa.UniqueConstraint('quote_id', 'posting_id', name=op.f('uq_basket_quote_line_quote_id_posting_id'))
    )
    with op.batch_alter_table('basket_quote_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basket_quote_line_quote_id'), ['quote_id'], unique=False)

    # Every order placed before baskets existed is one lot: its line repeats the order's columns.
    op.execute(
        "INSERT INTO order_line (order_id, posting_id, sell_posting_id, title, commodity_id, unit_code,"
        " origin_province_code, harvest_date, seller_lot_reference, quantity, unit_price, total)"
        " SELECT id, posting_id, sell_posting_id, title, commodity_id, unit_code,"
        " origin_province_code, harvest_date, seller_lot_reference, quantity, unit_price, total"
        " FROM trade_order ORDER BY id"
    )


def downgrade():
    with op.batch_alter_table("basket_quote_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_basket_quote_line_quote_id"))
    op.drop_table("basket_quote_line")
    with op.batch_alter_table("basket_quote", schema=None) as batch_op:
        batch_op.drop_index("ix_basket_quote_seller_status")
        batch_op.drop_index("ix_basket_quote_buyer_status")
    op.drop_table("basket_quote")

    op.drop_index("ix_trade_order_checkout_key", table_name="trade_order")
    # ALTER TABLE DROP COLUMN (SQLite 3.35+), not a batch rebuild, for the same triggers' sake.
    op.drop_column("trade_order", "checkout_key")

    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_line_sell_posting_id"))
        batch_op.drop_index(batch_op.f("ix_order_line_posting_id"))
        batch_op.drop_index(batch_op.f("ix_order_line_order_id"))

    op.drop_table("order_line")
    with op.batch_alter_table("basket_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_basket_item_posting_id"))
        batch_op.drop_index(batch_op.f("ix_basket_item_buyer_id"))

    op.drop_table("basket_item")
