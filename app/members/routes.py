"""Sign-up, login, profile and storefront views."""
from sqlalchemy import select

from app.extensions import db, login_manager
from app.members import bp  # noqa: F401
from app.members.models import Member

login_manager.login_view = "members.login"


@login_manager.user_loader
def load_member(session_token: str):
    return db.session.scalar(select(Member).where(Member.session_token == session_token))
