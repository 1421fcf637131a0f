"""Caching, in one home: every cache the pages use and what keeps them exact (docs/caching.md).

- ``local`` — a small per-process LRU whose entries carry the data version they came from
  (``app_cache(name, …)``, ``ResultCache``);
- ``shared`` — the cache every worker and host shares, in Redis, with single flight for searches
  (``shared_cache()``); an optimisation only, down or slow Redis means "not stored";
- ``stamps`` — what moves a cached page's stamp: the domains that own the rows a cached page shows
  register them (``stamped``, ``touches``), and a flush listener makes every change to them move
  ``updated_at``; a key builder names the models it reads with ``require``.

Imports no domain: the domains register with it.
"""
