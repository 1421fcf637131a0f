"""Catalogue admin pages (add commodities and aliases)."""
from app.catalogue import bp  # noqa: F401
