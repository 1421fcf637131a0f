"""Run the real app under gunicorn for a test: the shared limits and the view counts written at
exit are about processes, so these tests need real worker processes, not the test client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, tmp_path: Path, workers: int = 1, **settings: str) -> Iterator[str]:
    """gunicorn with ``workers`` workers on the test database, ``settings`` added to its environment;
    yields its base URL once /healthz answers and stops it gracefully (SIGTERM) afterwards."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        JISHI_ENV="development",
        FLASK_DEBUG="0",
        SECRET_KEY="live-gunicorn-test",
        JISHI_INSTANCE_DIR=str(tmp_path),
        UPLOAD_DIR=str(tmp_path / "up"),
        LOG_LEVEL="WARNING",
        **settings,
    )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--config",
                "gunicorn.conf.py",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "/dev/null",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start: " + log_path.read_text()[-2000:])
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # gunicorn's graceful stop
        server.wait(30)
