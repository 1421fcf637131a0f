"""Running a batch's provider requests side by side: each request waits mostly on the network, so a
few at once drain a bulk alert faster than one after another. Each thread keeps its own client
(``per_thread``): the providers' SDK clients hold an HTTP session that is not meant to be shared."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    """``items`` in consecutive slices of at most ``size`` (a provider's numbers-per-request limit)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_all(jobs: list[Callable[[], None]], concurrency: int) -> None:
    """Run every job, up to ``concurrency`` at once (one after another when 1 or a single job).
    A job's exception is raised here once all have run."""
    if concurrency <= 1 or len(jobs) <= 1:
        for job in jobs:
            job()
        return
    with ThreadPoolExecutor(max_workers=min(concurrency, len(jobs)), thread_name_prefix="sms-request") as pool:
        futures = [pool.submit(job) for job in jobs]
    for future in futures:
        future.result()


class PerThread:
    """``get()`` returns this thread's object, built by ``factory`` the first time it is asked for."""

    def __init__(self, factory: Callable[[], T]):
        self.factory = factory
        self.local = threading.local()

    def get(self):
        made = getattr(self.local, "made", None)
        if made is None:
            made = self.local.made = self.factory()
        return made
