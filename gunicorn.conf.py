"""gunicorn settings: `gunicorn --config gunicorn.conf.py wsgi:app`. Values come from config.py."""
from config import gunicorn_settings

_settings = gunicorn_settings()
bind = _settings["bind"]
workers = _settings["workers"]
threads = _settings["threads"]
timeout = _settings["timeout"]
forwarded_allow_ips = _settings["forwarded_allow_ips"]
accesslog = _settings["accesslog"]
# Workers are forked after the app is imported only when preload is off: each process opens its
# own database connections, so nothing is shared between workers by accident.
preload_app = False
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
