"""posting search vector: a stored tsvector on PostgreSQL, so ranking does not re-parse search_text

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 17:40:00

On PostgreSQL, ts_rank() over the expression ``to_tsvector('simple', search_text)`` parses the text
of every match again: a word found in 70,000 of 1,000,000 postings cost seconds per uncached search.
A generated column keeps the parsed vector on the row (computed by the database on every INSERT and
UPDATE of search_text, so nothing in the app has to keep it in step), and the GIN index moves onto
it. The column is deliberately not in the models: SQLite has no tsvector and keeps its FTS5 table;
migrations/env.py leaves reflected ``search_*`` columns alone for autogenerate.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _postgresql():
        return  # SQLite: posting_fts (migration 0001) already stores its own index
    with op.batch_alter_table("posting") as batch_op:
        batch_op.add_column(
            sa.Column(
                "search_vector",
                postgresql.TSVECTOR(),
                sa.Computed("to_tsvector('simple'::regconfig, search_text)", persisted=True),
                nullable=True,
            )
        )
    op.execute("CREATE INDEX ix_posting_search_vector ON posting USING gin (search_vector)")
    # The expression index of 0001 would only cost writes now: queries use the column.
    op.execute("DROP INDEX IF EXISTS ix_posting_search_text")


def downgrade():
    if not _postgresql():
        return
    op.execute("CREATE INDEX ix_posting_search_text ON posting USING gin (to_tsvector('simple', search_text))")
    op.execute("DROP INDEX IF EXISTS ix_posting_search_vector")
    with op.batch_alter_table("posting") as batch_op:
        batch_op.drop_column("search_vector")
