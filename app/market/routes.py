"""Routes of app.market."""
from app.market import bp  # noqa: F401
