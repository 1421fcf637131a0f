"""Routes of app.admin."""
from app.admin import bp  # noqa: F401
