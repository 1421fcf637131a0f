"""verification_request.legal_name: the name on the licence or ID card

Revision ID: 0036
Revises: 0034
Create Date: 2026-12-08 01:50:00

Issue 25: the order page warns the buyer when the seller's payee account is held by someone other
than the verified member. Verification recorded only the licence number; this is the name the admin
checks against the document and the payee's holder is compared with. Older requests keep None.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("verification_request") as batch:
        batch.add_column(sa.Column("legal_name", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("verification_request") as batch:
        batch.drop_column("legal_name")
