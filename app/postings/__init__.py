from flask import Blueprint

bp = Blueprint("postings", __name__)

from app.postings import routes  # noqa: E402,F401
from app.postings import market  # noqa
from app.postings import saved_search_routes  # noqa: E402,F401
from app.postings import subscribers  # noqa: E402

subscribers.connect()
