"""SMS budget: counters and once-per-window alerts, information stations wait for an admin

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 13:00:00

Issue 23 (SMS pumping). ``sms_budget_counter`` counts SMS per budget and window and
``sms_budget_alert`` remembers which full windows the admins were told about
(app/notify/sms_budget.py). ``member.station_review`` keeps an information station out of "post for
a farmer" until an admin approves it; stations that exist before this migration wait too
("pending"), because nothing told a self-made station from a real one. The audit log learns the two
new decisions: PostgreSQL swaps its CHECK constraint; SQLite rebuilds the table in batch mode, so
its append-only triggers are dropped first and made again afterwards.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

OLD_ACTIONS = ("hide_posting", "unhide_posting", "suspend", "restore", "suspension_ended", "revoke_verification",
               "resolve_report", "dismiss_report", "edit_help")
NEW_ACTIONS = OLD_ACTIONS + ("approve_station", "refuse_station")
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
]


def _actions_check(actions) -> str:
    return "action IN (" + ", ".join(f"'{action}'" for action in actions) + ")"


def _replace_actions_check(actions) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_audit_log_action_known'), 'audit_log', type_='check')
        op.create_check_constraint(op.f('ck_audit_log_action_known'), 'audit_log', _actions_check(actions))
        return
    op.execute('DROP TRIGGER IF EXISTS audit_log_no_delete')
    op.execute('DROP TRIGGER IF EXISTS audit_log_no_update')
    with op.batch_alter_table('audit_log', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action_known'), _actions_check(actions))
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade():
    op.create_table('sms_budget_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=4), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_sms_budget_counter_count_nonnegative')),
    sa.CheckConstraint("period IN ('hour', 'day')", name=op.f('ck_sms_budget_counter_period_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_budget_counter')),
    sa.UniqueConstraint('budget', 'key', 'period', 'window_start',
                        name=op.f('uq_sms_budget_counter_budget_key_period_window_start'))
    )
    with op.batch_alter_table('sms_budget_counter', schema=None) as batch_op:
        batch_op.create_index('ix_sms_budget_counter_window_start', ['window_start'], unique=False)

    op.create_table('sms_budget_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=4), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('allowed', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_budget_alert')),
    sa.UniqueConstraint('budget', 'key', 'period', 'window_start',
                        name=op.f('uq_sms_budget_alert_budget_key_period_window_start'))
    )

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station_review', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('station_reviewed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE member SET station_review = 'pending' WHERE is_station_operator")

    _replace_actions_check(NEW_ACTIONS)


def downgrade():
    # The append-only audit log keeps its station decisions: a database that has any cannot go back.
    _replace_actions_check(OLD_ACTIONS)
    # A plain DROP COLUMN (SQLite 3.35+, PostgreSQL): batch mode would rebuild `member`, and dropping
    # the old table, which nearly every table references, fails with foreign keys on once it has rows.
    for column in ('station_reviewed_at', 'station_review'):
        op.execute(f'ALTER TABLE member DROP COLUMN {column}')
    op.drop_table('sms_budget_alert')
    with op.batch_alter_table('sms_budget_counter', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_budget_counter_window_start')
    op.drop_table('sms_budget_counter')

