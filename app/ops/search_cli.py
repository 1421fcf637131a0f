"""``flask search reindex``: rewrite the stored search text of existing postings and forum posts.

Run it after a deploy that changes how text is prepared for search (app/search/text.py), e.g. the
folding of Traditional characters, plurals and pinyin of issue 16: new and edited rows get the new
text on save, old rows only through this. In app.ops because it reaches into two domains (postings, forum)
that search itself may not import. Batched (a commit per batch), restartable with
``--after-id``, safe to run while the site is up."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.db import write_transactions
from app.extensions import db
from app.forum.services import reindex_posts_after
from app.postings.services import reindex_postings_after

search_cli = AppGroup("search", help="Search maintenance.")


@search_cli.command("reindex")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--after-id", default=0, show_default=True, type=click.IntRange(0), help="Resume after this posting id.")
@click.option("--postings/--no-postings", default=True, help="Reindex market postings.")
@click.option("--forum/--no-forum", default=True, help="Reindex forum posts.")
def reindex(batch_size: int, after_id: int, postings: bool, forum: bool) -> None:
    """Rewrite search_text of every posting and forum post, ``--batch-size`` rows per commit."""
    jobs = [("postings", reindex_postings_after, after_id)] if postings else []
    if forum:
        jobs.append(("forum posts", reindex_posts_after, 0))
    with write_transactions():
        for name, reindex_batch, last_id in jobs:
            started, done = time.monotonic(), 0
            while True:
                next_id = reindex_batch(last_id, batch_size)
                db.session.commit()
                if next_id is None:
                    break
                done += 1
                last_id = next_id
                click.echo(f"{name}: batch {done} done, up to id {last_id}")
            click.echo(f"{name}: reindexed in {time.monotonic() - started:.1f} s")
