"""Models of app.forum."""
from __future__ import annotations
