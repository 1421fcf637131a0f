"""Routes of app.forum."""
from app.forum import bp  # noqa: F401
