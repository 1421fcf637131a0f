from flask import Blueprint

bp = Blueprint("postings", __name__)

# The route modules register on bp, so they are imported after it exists.
from app.postings import (  # noqa: E402
    market,  # noqa: F401
    routes,  # noqa: F401
    saved_search_routes,  # noqa: F401
    storefront_routes,  # noqa: F401
    subscribers,  # noqa: F401
)
