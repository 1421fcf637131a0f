"""Community forum: categories, threads and replies in sanitised Markdown, moderation."""

from flask import Blueprint

bp = Blueprint("forum", __name__)

from app.forum import routes  # noqa: E402,F401
