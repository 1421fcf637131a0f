"""Hiding a posting from the market and giving it its status back: the postings domain owns the
status column; admin (app/admin/services.py) decides when and keeps the holds that say why."""

from __future__ import annotations

from app.postings.models import Posting, PostingStatus

HIDDEN = PostingStatus.HIDDEN.value


def hide(posting: Posting) -> None:
    """Take ``posting`` off every public list at once (status "hidden"); its owner and admins still
    see it. The caller keeps the status to give back."""
    posting.status = HIDDEN


def show_again(posting: Posting, status: str) -> None:
    """Give a hidden ``posting`` back the ``status`` it had before it was hidden."""
    posting.status = status
