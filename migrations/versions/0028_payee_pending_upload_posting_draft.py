"""payee, pending upload, posting draft

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 18:20:47

Issue 25, for a farmer on a slow rural link and a buyer who must pay by transfer:
- payee: the bank account a seller is paid into, shown to the buyer of a confirmed order only;
- pending_upload: a photo that arrived with a posting form that failed for another reason, kept
  (private folder) so it is not sent again;
- posting_draft: what a member had typed into a new-posting form, saved as they type, restored
  when they come back.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=80), nullable=False),
    sa.Column('bank_name', sa.String(length=80), nullable=False),
    sa.Column('account_number', sa.String(length=30), nullable=False),
    sa.Column('wechat_code_filename', sa.String(length=80), nullable=True),
    sa.Column('alipay_code_filename', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(account_number) >= 8', name=op.f('ck_payee_account_number_long_enough')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_payee_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payee')),
    sa.UniqueConstraint('member_id', name=op.f('uq_payee_member_id'))
    )
    op.create_table('pending_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=80), nullable=False),
    sa.Column('thumb_filename', sa.String(length=80), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_pending_upload_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_pending_upload_token'))
    )
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_upload_member_id'), ['member_id'], unique=False)

    op.create_table('posting_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('form_name', sa.String(length=8), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("form_name IN ('new', 'station')", name=op.f('ck_posting_draft_form_name_known')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_posting_draft_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_draft')),
    sa.UniqueConstraint('member_id', 'form_name', name=op.f('uq_posting_draft_member_id_form_name'))
    )


def downgrade():
    op.drop_table('posting_draft')
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_upload_member_id'))

    op.drop_table('pending_upload')
    op.drop_table('payee')
