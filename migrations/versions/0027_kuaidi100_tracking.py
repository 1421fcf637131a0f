"""kuaidi100 tracking: a shipment's subscription at Kuaidi100 and the track checkpoints it pushed

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-07 18:30:00

Issue 18 point 4: express shipments are tracked through the aggregator Kuaidi100. A subscription
row is written with the shipment and sent by `flask logistics subscribe-tracking` (retried while
Kuaidi100 is unreachable); each pushed checkpoint is stored once, UNIQUE per shipment on the sha256
of its time and text, so a replayed push adds nothing.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tracking_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("provider_state", sa.String(length=8), nullable=True),
        sa.Column("state_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_tracking_subscription_attempts_nonnegative")),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
            name=op.f("fk_tracking_subscription_shipment_id_shipment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_subscription")),
        sa.UniqueConstraint("shipment_id", name=op.f("uq_tracking_subscription_shipment_id")),
    )
    op.create_index(
        op.f("ix_tracking_subscription_next_attempt_at"), "tracking_subscription", ["next_attempt_at"], unique=False
    )
    op.create_table(
        "tracking_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=True),
        sa.Column("area", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
            name=op.f("fk_tracking_checkpoint_shipment_id_shipment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_checkpoint")),
        sa.UniqueConstraint("shipment_id", "fingerprint", name=op.f("uq_tracking_checkpoint_shipment_id_fingerprint")),
    )
    op.create_index(op.f("ix_tracking_checkpoint_shipment_id"), "tracking_checkpoint", ["shipment_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_tracking_checkpoint_shipment_id"), table_name="tracking_checkpoint")
    op.drop_table("tracking_checkpoint")
    op.drop_index(op.f("ix_tracking_subscription_next_attempt_at"), table_name="tracking_subscription")
    op.drop_table("tracking_subscription")
