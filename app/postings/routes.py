"""Posting views."""
from app.postings import bp  # noqa: F401
