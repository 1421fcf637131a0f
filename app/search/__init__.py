"""One search service for the market (and later the forum), with two engines: SQLite FTS5 and
PostgreSQL full text. Both index text prepared by :func:`app.search.text.index_text`."""
