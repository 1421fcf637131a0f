"""split settlement (分账) to sellers, their receiver accounts, and the payment code to show as a QR code

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-07 18:30:00

Issue 18: WeChat Pay Native hands back a code_url the order page shows as a QR code
(``payment.pay_url``). Sellers record the account a provider splits their share into
(``payment_receiver_account``, one per seller and provider); each paid and completed (or resolved)
order gets one ``payment_split_settlement`` with Jishi's request number (UNIQUE, the idempotency key
at the provider), the frozen amounts, its state and its retries.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pay_url", sa.String(length=512), server_default="", nullable=False))

    op.create_table(
        "payment_receiver_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("account_type", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_payment_receiver_account_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_receiver_account")),
        sa.UniqueConstraint("member_id", "provider", name=op.f("uq_payment_receiver_account_member_id_provider")),
    )
    with op.batch_alter_table("payment_receiver_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_receiver_account_member_id"), ["member_id"], unique=False)

    op.create_table(
        "payment_split_settlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("out_request_no", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("net", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("fee", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("paid_out_minor", sa.Integer(), nullable=False),
        sa.Column("receiver_account_type", sa.String(length=32), nullable=False),
        sa.Column("receiver_account", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("paid_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_payment_split_settlement_amount_nonnegative")),
        sa.CheckConstraint("paid_out_minor >= 0", name=op.f("ck_payment_split_settlement_paid_out_nonnegative")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["trade_order.id"],
            name=op.f("fk_payment_split_settlement_order_id_trade_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payment.id"],
            name=op.f("fk_payment_split_settlement_payment_id_payment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["member.id"], name=op.f("fk_payment_split_settlement_seller_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_split_settlement")),
        sa.UniqueConstraint("order_id", name=op.f("uq_payment_split_settlement_order_id")),
        sa.UniqueConstraint("out_request_no", name=op.f("uq_payment_split_settlement_out_request_no")),
    )
    with op.batch_alter_table("payment_split_settlement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_split_settlement_payment_id"), ["payment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_split_settlement_seller_id"), ["seller_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_split_settlement_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payment_split_settlement_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payment_split_settlement_paid_out_at"), ["paid_out_at"], unique=False)


def downgrade():
    op.drop_table("payment_split_settlement")
    op.drop_table("payment_receiver_account")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_column("pay_url")
