"""gunicorn settings: `gunicorn --config gunicorn.conf.py wsgi:app`. Values come from config.py."""

from app.web import gunicorn_errors
from config import gunicorn_settings

# Requests gunicorn cannot parse (NUL or other raw bytes in the request line or a header) get the
# site's bilingual 400 page instead of gunicorn's own.
gunicorn_errors.install()

_settings = gunicorn_settings()
bind = _settings["bind"]
workers = _settings["workers"]
threads = _settings["threads"]
timeout = _settings["timeout"]
# Whom gunicorn believes about https (X-Forwarded-Proto). It never takes the client's address from
# X-Forwarded-For: the app does, with TRUSTED_PROXY_COUNT (docs/operations.md), so no hop is
# counted twice.
forwarded_allow_ips = _settings["forwarded_allow_ips"]
accesslog = _settings["accesslog"]
# Workers are forked after the app is imported only when preload is off: each process opens its
# own database connections, so nothing is shared between workers by accident.
preload_app = False
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
