"""admin and trust: reports, suspensions, audit log, help pages

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# The audit log is append-only in the database itself, not only in the application: an UPDATE or
# DELETE of a row fails whoever sends it. (PostgreSQL's TRUNCATE, an owner's maintenance command,
# is not a row change and is left alone.)
PG_FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$
"""
PG_TRIGGER = (
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
]


def upgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('suspended_permanently', sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=10), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.Column('storefront_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=9), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("reason IN ('fraud', 'fake_produce', 'wrong_price', 'abusive', 'other')", name=op.f('ck_report_reason_known')),
    sa.CheckConstraint("target_kind IN ('posting', 'storefront', 'member')", name=op.f('ck_report_target_kind_known')),
    sa.CheckConstraint("status IN ('open', 'actioned', 'dismissed')", name=op.f('ck_report_status_known')),
    sa.ForeignKeyConstraint(['reporter_id'], ['member.id'], name=op.f('fk_report_reporter_id_member')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_report_member_id_member')),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_report_posting_id_posting')),
    sa.ForeignKeyConstraint(['storefront_id'], ['storefront.id'], name=op.f('fk_report_storefront_id_storefront'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['member.id'], name=op.f('fk_report_resolved_by_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_posting_id'), ['posting_id'], unique=False)
        batch_op.create_index('ix_report_status_created_at', ['status', 'created_at'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(
        "action IN ('hide_posting', 'unhide_posting', 'suspend', 'restore', 'suspension_ended', "
        "'revoke_verification', 'resolve_report', 'dismiss_report', 'edit_help')",
        name=op.f('ck_audit_log_action_known'),
    ),
    sa.ForeignKeyConstraint(['actor_id'], ['member.id'], name=op.f('fk_audit_log_actor_id_member')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_audit_log_member_id_member')),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_audit_log_posting_id_posting')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_audit_log_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_posting_id'), ['posting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_audit_log_action_created_at', ['action', 'created_at'], unique=False)

    op.create_table('posting_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('cause', sa.String(length=10), nullable=False),
    sa.Column('previous_status', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("cause IN ('moderation', 'suspension')", name=op.f('ck_posting_hold_cause_known')),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_posting_hold_posting_id_posting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_hold'))
    )
    with op.batch_alter_table('posting_hold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_hold_posting_id'), ['posting_id'], unique=False)

    op.create_table('help_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=20), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['member.id'], name=op.f('fk_help_page_updated_by_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_page')),
    sa.UniqueConstraint('slug', 'locale', name=op.f('uq_help_page_slug_locale'))
    )

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log')
        op.execute('DROP FUNCTION IF EXISTS audit_log_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_delete')
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_update')

    op.drop_table('help_page')
    with op.batch_alter_table('posting_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_hold_posting_id'))

    op.drop_table('posting_hold')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_action_created_at')
        batch_op.drop_index(batch_op.f('ix_audit_log_report_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_posting_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_member_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_status_created_at')
        batch_op.drop_index(batch_op.f('ix_report_posting_id'))
        batch_op.drop_index(batch_op.f('ix_report_member_id'))
        batch_op.drop_index(batch_op.f('ix_report_reporter_id'))

    op.drop_table('report')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('suspended_permanently')
        batch_op.drop_column('suspended_until')
