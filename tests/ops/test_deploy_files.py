"""The deployment files in deploy/ stay true to the app: every scheduled job names a real `flask`
command, every timer starts a job the runner knows, cron and systemd schedule the same jobs, and the
units start commands that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
JOB_LINE = re.compile(r"^\s*([a-z-]+)\)\s+exec \$FLASK (.+?) ;;", re.MULTILINE)


def _jobs() -> dict[str, list[str]]:
    return {name: shlex.split(command) for name, command in JOB_LINE.findall((DEPLOY / "job").read_text())}


def test_the_job_runner_knows_every_scheduled_job():
    jobs = _jobs()
    assert {
        "expire-postings",
        "expire-offers",
        "reconcile",
        "retry-refunds",
        "rollup",
        "digests",
        "end-suspensions",
        "prune-sms-budget",
        "backup",
    } <= set(jobs)


@pytest.mark.parametrize("job", sorted(_jobs()))
def test_every_job_is_a_real_flask_command(app, job):
    command = [part for part in _jobs()[job] if not part.startswith(('"', "$"))]
    result = app.test_cli_runner().invoke(args=[*command, "--help"])
    assert result.exit_code == 0, f"deploy/job {job}: flask {' '.join(command)} does not exist:\n{result.output}"


def test_timers_and_cron_schedule_exactly_the_known_jobs():
    jobs = set(_jobs())
    timers = {path.name[len("jishi-job-") : -len(".timer")] for path in (DEPLOY / "systemd").glob("jishi-job-*.timer")}
    for path in (DEPLOY / "systemd").glob("jishi-job-*.timer"):
        name = path.name[len("jishi-job-") : -len(".timer")]
        assert f"Unit=jishi-job@{name}.service" in path.read_text()
    cron = set(re.findall(r"/srv/jishi/deploy/job ([a-z-]+)", (DEPLOY / "crontab.example").read_text()))
    assert timers == jobs == cron


def test_units_run_existing_commands(app):
    web = (DEPLOY / "systemd" / "jishi-web.service").read_text()
    assert "gunicorn --config gunicorn.conf.py wsgi:app" in web and "db upgrade" in web
    worker = (DEPLOY / "systemd" / "jishi-notify-worker@.service").read_text()
    assert "flask notify worker" in worker
    assert app.test_cli_runner().invoke(args=["notify", "worker", "--help"]).exit_code == 0
    environment = (DEPLOY / "jishi.env.example").read_text()
    for setting in ("JISHI_ENV=production", "SECRET_KEY=", "DATABASE_URL=postgresql", "REDIS_URL=", "PUBLIC_BASE_URL="):
        assert setting in environment
