"""payment ledger keyed by the provider's objects: charges by payment id, refunds by refund id

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07 12:45:00

Issue 23: Stripe sends checkout.session.completed and payment_intent.succeeded for one payment, and
refund events in any order. Every ledger entry a provider reports now carries the provider's object
id (``provider_object``: the PaymentIntent of a charge, the ``re_…`` id of a refund) under
UNIQUE(payment_id, kind, provider_object), so the database itself refuses a second charge for one
PaymentIntent or a refund counted twice. Entries without a provider object (manual payments, refunds
still pending, rows written before this revision) keep NULL, which UNIQUE does not compare.

Each entry also records its ``currency``: a charge in another currency than the order's is kept
and flagged but never counts as paid. ``payment.attention`` says why a payment needs an admin
("short": received less than due; "currency": money in another currency). Existing entries take
their payment's currency.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attention', sa.String(length=12), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_payment_attention'), ['attention'], unique=False)

    with op.batch_alter_table('payment_ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_object', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=True))
    op.execute(
        "UPDATE payment_ledger_entry SET currency = "
        "(SELECT payment.currency FROM payment WHERE payment.id = payment_ledger_entry.payment_id)"
    )
    with op.batch_alter_table('payment_ledger_entry', schema=None) as batch_op:
        batch_op.alter_column('currency', existing_type=sa.String(length=3), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_payment_ledger_entry_payment_id_kind_provider_object'),
            ['payment_id', 'kind', 'provider_object'],
        )


def downgrade():
    with op.batch_alter_table('payment_ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payment_ledger_entry_payment_id_kind_provider_object'), type_='unique')
        batch_op.drop_column('currency')
        batch_op.drop_column('provider_object')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_attention'))
        batch_op.drop_column('attention')
