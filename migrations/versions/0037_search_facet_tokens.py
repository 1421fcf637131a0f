"""posting full-text index: the commodity and the province as tokens (c_12, p_410000)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-08 02:00:00

Issue 16, point 4: a search with free words and a commodity or province filter (南瓜 检测报告,
蒜头 可开发票) walked the words' matches newest first until 1,001 passed the filter — a quarter of
1,000,000 postings for a phrase of sellers' descriptions. With the posting's commodity and province
in the full-text index as tokens that no query can type (``c_<id>``, ``p_<code>``: query terms never
hold "_", app/search/text.py), the search ANDs them into the match, and FTS5 / GIN intersect the
doclists instead of filtering rows (app/postings/search.py).

SQLite: posting_fts gets a second column, ``search_facets``, read from the view posting_fts_source
(an external-content FTS5 table may read a view); its triggers also follow changes of commodity_id
and province_code; ``tokenchars '_'`` keeps ``c_12`` one token (search_text never holds "_"). The
index is rebuilt (a minute or two on 1,000,000 postings). PostgreSQL: the generated
``search_vector`` gains the two lexemes (array_to_tsvector: no parsing, no positions, so ts_rank of
the text query is unchanged) and its GIN index is rebuilt; the table is rewritten.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

TOKENIZE = "unicode61 remove_diacritics 2"
FACETS_SQLITE = "'c_' || commodity_id || ' p_' || province_code"
FACETS_PG = "array_to_tsvector(ARRAY['c_' || commodity_id::text, 'p_' || province_code::text])"
TEXT_PG = "to_tsvector('simple'::regconfig, search_text)"


def _sqlite_triggers(columns: str, values: str, old_values: str, watched: str) -> list[str]:
    return [
        f"CREATE TRIGGER posting_fts_ai AFTER INSERT ON posting BEGIN "
        f"INSERT INTO posting_fts(rowid, {columns}) VALUES (new.id, {values}); END",
        f"CREATE TRIGGER posting_fts_ad AFTER DELETE ON posting BEGIN "
        f"INSERT INTO posting_fts(posting_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values}); END",
        f"CREATE TRIGGER posting_fts_au AFTER UPDATE OF {watched} ON posting BEGIN "
        f"INSERT INTO posting_fts(posting_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values}); "
        f"INSERT INTO posting_fts(rowid, {columns}) VALUES (new.id, {values}); END",
    ]


def _drop_sqlite_index() -> None:
    for trigger in ("posting_fts_ai", "posting_fts_ad", "posting_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS posting_fts")
    op.execute("DROP VIEW IF EXISTS posting_fts_source")


def _replace_search_vector(expression: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_posting_search_vector")
    op.execute("ALTER TABLE posting DROP COLUMN IF EXISTS search_vector")
    op.execute(f"ALTER TABLE posting ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED")
    op.execute("CREATE INDEX ix_posting_search_vector ON posting USING gin (search_vector)")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _replace_search_vector(f"{TEXT_PG} || {FACETS_PG}")
        return
    _drop_sqlite_index()
    op.execute(
        f"CREATE VIEW posting_fts_source AS SELECT id, search_text, {FACETS_SQLITE} AS search_facets FROM posting"
    )
    op.execute(
        "CREATE VIRTUAL TABLE posting_fts USING fts5(search_text, search_facets, content='posting_fts_source', "
        f"content_rowid='id', tokenize=\"{TOKENIZE} tokenchars '_'\")"
    )
    new_facets, old_facets = (
        FACETS_SQLITE.replace("commodity_id", f"{row}.commodity_id").replace("province_code", f"{row}.province_code")
        for row in ("new", "old")
    )
    for statement in _sqlite_triggers(
        "search_text, search_facets",
        f"new.search_text, {new_facets}",
        f"old.search_text, {old_facets}",
        "search_text, commodity_id, province_code",
    ):
        op.execute(statement)
    op.execute("INSERT INTO posting_fts(posting_fts) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _replace_search_vector(TEXT_PG)
        return
    _drop_sqlite_index()
    op.execute(
        f"CREATE VIRTUAL TABLE posting_fts USING fts5(search_text, content='posting', content_rowid='id', tokenize='{TOKENIZE}')"
    )
    for statement in _sqlite_triggers("search_text", "new.search_text", "old.search_text", "search_text"):
        op.execute(statement)
    op.execute("INSERT INTO posting_fts(posting_fts) VALUES ('rebuild')")
