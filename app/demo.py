"""Demo members and postings for `make run` (idempotent)."""
from __future__ import annotations


def load_demo_data() -> dict[str, int]:
    """Create the demo accounts and postings that are missing. Returns counts of what was created."""
    return {"members": 0, "postings": 0}
