"""Jishi 集市 — application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from config import Config, ProductionConfig, config_from_env

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    """Build a configured Jishi app. ``overrides`` replace single settings (tests use them)."""
    config_class = config_class or config_from_env()
    if issubclass(config_class, ProductionConfig):
        config_class.check()

    app = Flask(
        __name__,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
        instance_path=config_class.INSTANCE_DIR,
        instance_relative_config=False,
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    if app.config["TRUSTED_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme as the proxies saw them (docs/operations.md). Not the
        # host: links in SMS and e-mail and the Twilio signature check use PUBLIC_BASE_URL.
        proxies = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    from app.web.sessions import SessionInterface

    app.session_interface = SessionInterface()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    from app.web import logs

    logs.configure(app)
    from app.web import request_limits

    # Before CSRF and the rate limits, which read the form: the limits must be set before any read.
    request_limits.register(app)

    from app import db as _db_events  # importing registers the SQLite pragmas and BEGIN IMMEDIATE
    from app.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate
    from app.web import i18n

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            _db_events.install_idle_ping(engine, app.config["DATABASE_PING_IDLE_SECONDS"])
    _db_events.register(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    # First registered, so its after_request runs last: it compresses the finished response.
    compress.init_app(app)

    # Route ids are database ids: a number beyond a 32-bit integer is simply "not found", instead of
    # an overflow error from PostgreSQL.
    app.url_map.converters["int"] = DatabaseIdConverter
    _import_models()
    from app.caching import stamps

    stamps.install()
    _register_blueprints(app)
    _connect_receivers()
    from app.notify import commands as notify_commands

    notify_commands.install(app)

    from app.web import errors, security, static_files, templating

    errors.register(app)
    security.register(app)
    templating.register(app)
    static_files.register(app)

    from app import cli

    cli.register(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` limited to the range of the database's integer primary keys."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _import_models() -> None:
    # Every model module is imported so that Alembic and relationship strings see all tables.
    from app.admin import models as _admin  # noqa: F401
    from app.catalogue import models as _catalogue  # noqa: F401
    from app.contracts import models as _contracts  # noqa: F401
    from app.forum import models as _forum  # noqa: F401
    from app.inbound_sms import models as _inbound_sms  # noqa: F401
    from app.knowledge import models as _knowledge  # noqa: F401
    from app.logistics import models as _logistics  # noqa: F401
    from app.market import models as _market  # noqa: F401
    from app.media import models as _media  # noqa: F401
    from app.members import models as _members  # noqa: F401
    from app.notify import models as _notify  # noqa: F401
    from app.payments import models as _payments  # noqa: F401
    from app.pooling import models as _pooling  # noqa: F401
    from app.postings import models as _postings  # noqa: F401
    from app.sms_spend import models as _sms_spend  # noqa: F401
    from app.trade import models as _trade  # noqa: F401


def _connect_receivers() -> None:
    """Connect every domain's signal receivers (docs/architecture.md, "Signals"). Connecting is
    idempotent (blinker keys receivers by function), so each create_app may call it."""
    from app.admin import signals as admin_signals
    from app.inbound_sms import station as inbound_station
    from app.market import rollup
    from app.notify import (
        basket_handlers,
        community_handlers,
        follow_handlers,
        handlers,
        knowledge_handlers,
        match_handlers,
        pool_handlers,
        spend_handlers,
    )
    from app.payments import handlers as payment_handlers
    from app.postings import subscribers
    from app.search import subscribers as search_subscribers

    handlers.connect()
    match_handlers.connect()
    follow_handlers.connect()
    community_handlers.connect()
    spend_handlers.connect()
    inbound_station.connect()
    pool_handlers.connect()
    basket_handlers.connect()
    knowledge_handlers.connect()
    # Admin sits above the domains (no domain imports it), so its signal is wired here.
    admin_signals.report_decided.connect(community_handlers.on_report_decided, sender=admin_signals.SENDER)
    subscribers.connect()
    search_subscribers.connect()
    payment_handlers.connect()
    # Completed orders and published postings keep today's reference prices current.
    rollup.connect()


def _register_blueprints(app: Flask) -> None:
    from app.catalogue import bp as catalogue_bp
    from app.contracts import bp as contracts_bp
    from app.logistics import bp as logistics_bp
    from app.main import bp as main_bp
    from app.members import bp as members_bp
    from app.payments import bp as payments_bp
    from app.postings import bp as postings_bp
    from app.trade import bp as trade_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(postings_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(trade_bp)
    from app.pooling import bp as pooling_bp

    app.register_blueprint(pooling_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(logistics_bp)
    app.register_blueprint(contracts_bp)
    from app.notify import bp as notify_bp

    app.register_blueprint(notify_bp)
    from app.admin import bp as admin_bp
    from app.forum import bp as forum_bp
    from app.inbound_sms import bp as inbound_sms_bp
    from app.knowledge import bp as knowledge_bp
    from app.market import bp as market_bp

    app.register_blueprint(inbound_sms_bp)
    app.register_blueprint(market_bp)
    app.register_blueprint(forum_bp)
    app.register_blueprint(knowledge_bp)
    app.register_blueprint(admin_bp)
