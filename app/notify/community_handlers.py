"""Forum replies and report decisions turned into outbox rows for the people they concern.

The forum and admin domains announce these with signals (app/forum/signals.py,
app/admin/signals.py) and never call notify themselves; like app/notify/handlers.py, these
receivers run inside the sender's transaction, only add rows and never commit."""

from __future__ import annotations

from app.core.urls import public_url
from app.extensions import db
from app.forum import signals as forum_signals
from app.forum.models import ForumThread
from app.members.models import Member
from app.notify.preferences import register_event
from app.notify.services import enqueue

# Forum notifications belong to the "forum" preference category, whose SMS start switched off.
register_event("forum_reply", "forum")
register_event("forum_quote", "forum")


def on_post_replied(
    _sender, *, thread_id: int, post_id: int, author_id: int, thread_author_id: int, quoted_author_id: int | None
) -> None:
    """forum_quote to the quoted post's author, forum_reply to the thread's author (once each,
    never to the person who wrote the reply)."""
    thread = db.session.get(ForumThread, thread_id)
    author = db.session.get(Member, author_id)
    context = {
        "title": thread.title,
        "name": author.display_name,
        "link": public_url("forum.show_post", post_id=post_id),
        "url": public_url("forum.show_post", post_id=post_id),
    }
    told = {author_id}
    for member_id, event in ((quoted_author_id, "forum_quote"), (thread_author_id, "forum_reply")):
        if member_id is not None and member_id not in told:
            enqueue(db.session.get(Member, member_id), event, context)
            told.add(member_id)


def on_report_decided(_sender, *, report_id: int, reporter_id: int, actioned: bool, note: str) -> None:
    """report_outcome to the member who filed the report."""
    enqueue(
        db.session.get(Member, reporter_id),
        "report_outcome",
        {
            "number": report_id,
            "actioned": actioned,
            "note": note,
            "url": public_url("admin.my_reports"),
            "link": public_url("admin.my_reports"),
        },
    )


def connect() -> None:
    """Subscribe to the forum's signals. ``on_report_decided`` is connected to admin's signal by
    create_app: no domain imports admin (it sits on top), so notify cannot name the signal itself."""
    forum_signals.post_replied.connect(on_post_replied, sender=forum_signals.SENDER)
