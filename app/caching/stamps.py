"""What moves a cached page's stamp, registered by the domains that own the rows.

Every cached page and fragment is keyed by the ``updated_at`` of the rows it shows (docs/caching.md),
so a change that leaves ``updated_at`` as it was would serve a stale page. Column changes move it
through the column's ``onupdate`` (ORM flushes and Core ``update()`` alike); what does not move it
is a change the row's own columns do not see. The domain that owns the rows declares them here:

- ``stamped(Model)`` — cached pages read ``Model.updated_at``; a change to one of its relationship
  collections alone (a photo removed from ``posting.photos``) moves it too;
- ``touches(Child, "parent")`` — ``Child`` rows are shown as part of their parent's page (a photo's
  position or caption): adding, changing or deleting one moves the parent's ``updated_at``;
- ``require(*models)`` — a key builder names the models whose stamps it reads; one that is not
  registered is a programming error at import, not a stale page in production.

The listener (``install``, from create_app) runs before every flush in the caller's transaction.
Not covered, and to be avoided: raw ``text()`` SQL writing these tables.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.clock import utcnow

_STAMPED: set[type] = set()
_TOUCHES: dict[type, str] = {}


def stamped(*models: type) -> None:
    """Register ``models`` (each with an ``updated_at`` column) as read by cached pages."""
    for model in models:
        if "updated_at" not in model.__table__.c:
            raise TypeError(f"{model.__name__} has no updated_at column to stamp pages with")
        _STAMPED.add(model)


def touches(child: type, parent_attribute: str) -> None:
    """Register ``child`` as shown on the page of ``getattr(child_row, parent_attribute)``, a
    stamped model: any change to a child row moves its parent's ``updated_at``."""
    _TOUCHES[child] = parent_attribute


def require(*models: type) -> None:
    """Raise LookupError unless every model is registered with ``stamped``."""
    missing = [model.__name__ for model in models if model not in _STAMPED]
    if missing:
        raise LookupError(f"cached pages read {', '.join(missing)}, which no domain registered as stamped")


def registered() -> tuple[frozenset[type], dict[type, str]]:
    """The stamped models and the children that touch a parent (for tests and docs)."""
    return frozenset(_STAMPED), dict(_TOUCHES)


def _move(row, now) -> None:
    if type(row) in _STAMPED and row.updated_at != now:
        row.updated_at = now


def _before_flush(session: Session, _context, _instances) -> None:
    now = None
    for row in (*session.new, *session.dirty, *session.deleted):
        kind = type(row)
        if kind in _TOUCHES:
            parent = getattr(row, _TOUCHES[kind], None)
            if parent is not None and parent not in session.deleted:
                now = now or utcnow()
                _move(parent, now)
        elif kind in _STAMPED and row in session.dirty and row not in session.deleted:
            # A column change moves updated_at by itself (onupdate); a change to a collection only
            # (no column of the row changed) would not.
            if session.is_modified(row, include_collections=False):
                continue
            if session.is_modified(row, include_collections=True):
                now = now or utcnow()
                _move(row, now)


def install() -> None:
    """Listen to every session's flushes (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
