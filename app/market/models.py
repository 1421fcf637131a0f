"""Models of app.market."""
from __future__ import annotations
