"""One-click e-mail unsubscribe links: a signed token naming a member and a notification category.

Following the link (GET shows a button, POST switches off; a mail scanner that opens links changes
nothing) stores "no e-mail" for that category, the same choice the member could tick on
/account/notifications. The token is signed with SECRET_KEY (salted for this purpose only) and does
not expire: an unsubscribe link must keep working in an old e-mail."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.core.urls import public_url
from app.notify.preferences import CATEGORIES

_SALT = "jishi.notify.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_token(member_id: int, category: str) -> str:
    return _serializer().dumps([member_id, category])


def read_token(token: str) -> tuple[int, str] | None:
    """(member id, category) from a token this site signed for a category that can be switched
    off; None for anything else (forged, cut short, an unknown or locked category)."""
    try:
        member_id, category = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    known = CATEGORIES.get(category) if isinstance(category, str) else None
    if not isinstance(member_id, int) or known is None or known.locked:
        return None
    return member_id, category


def unsubscribe_url(member_id: int, category: str) -> str:
    """The absolute link an e-mail of ``category`` carries to switch that category's e-mail off."""
    return public_url("notify.unsubscribe", token=make_token(member_id, category))
