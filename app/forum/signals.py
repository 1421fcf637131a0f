"""Forum events for other domains to subscribe to (notify tells the people concerned).

Sent by app.forum.services after the post is flushed, inside the same transaction, so a subscriber
that writes outbox rows commits or rolls back with the post. The sender is ``"forum"``; keyword
arguments carry ids only:

    post_replied   thread_id, post_id, author_id, thread_author_id, quoted_author_id (None: no quote)
"""

from __future__ import annotations

from blinker import Namespace

SENDER = "forum"

forum_signals = Namespace()

post_replied = forum_signals.signal("post_replied", doc="A member replied in a thread (perhaps quoting a post).")
