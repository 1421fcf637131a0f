"""Models of app.admin."""
from __future__ import annotations
