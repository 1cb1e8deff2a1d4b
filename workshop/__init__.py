"""The workshop application: ``create_app`` wires config, extensions, blueprints,
error handlers and CLI commands.  It never migrates or prompts (run.py does)."""

from __future__ import annotations

import gc
import os
import secrets
import sqlite3
from pathlib import Path

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import Config, config_from_env

from . import sqlite_tx
from .core import settings
from .extensions import babel, csrf, db, limiter, login_manager, migrate, rest_api
from .i18n import compile_catalogs, install_template_gettext

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    """Build the app.  ``overrides`` are applied after the config class (tests use them).

    Raises RuntimeError when production has no SECRET_KEY.
    """
    config_class = config_class or config_from_env()
    app = Flask(
        __name__,
        instance_path=os.environ.get("WORKSHOP_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    _settle_config(app)

    from .security import guards

    guards.init_app(app)  # before blueprints: it bounds the <int:...> converter
    from .security import headers, proxy

    headers.init_app(app)
    proxy.init_app(app)
    register_extensions(app)
    register_blueprints(app)
    from .errors import register_errorhandlers

    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    from . import local_time

    local_time.init_app(app)
    if app.config.get("ENV_NAME") == "production":
        # What start-up made (modules, mappers, the app) lives as long as the worker:
        # out of the collector's full passes, which otherwise walked it all (~100 ms,
        # every 70-200 requests, landing on one request each time).
        gc.freeze()
    return app


def _settle_config(app: Flask) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "workshop.db")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A pre-ping (one "SELECT 1" per pool checkout, i.e. per request) finds server
        # connections a PostgreSQL restart or a proxy dropped; an SQLite file has none.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                                                   "pool_pre_ping": False}
    if not app.config.get("SECRET_KEY"):
        if app.config.get("ENV_NAME") == "production":
            raise RuntimeError(
                "SECRET_KEY is not set. Production refuses to start without one: "
                "set the SECRET_KEY environment variable to a long random string."
            )
        # Development: a generated key, kept in the instance folder so sessions survive restarts.
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy emit BEGIN itself (see workshop/sqlite_tx.py).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(sqlite_tx.LOCK_WAIT_SECONDS * 1000)}")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            # Writing units of work take the write lock first; reads never do.
            sqlite_tx.install(engine)
            sqlite_tx.init_app(app, db.session)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    install_template_gettext(app)
    # A fresh checkout has only the .po catalogues: compile the stale ones.
    for directory in str(app.config.get("BABEL_TRANSLATION_DIRECTORIES", "")).split(";"):
        if directory:
            compile_catalogs(directory)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    rest_api.init_app(app)
    rest_api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "flask users token NAME"}
    )

    from workshop.core import accounts

    @login_manager.user_loader
    def load_user(session_id: str):
        from .core.sessions import user_for_session_id

        return user_for_session_id(session_id)

    @login_manager.request_loader
    def load_user_from_request(req):
        header = req.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            g.auth_via_token = True
            return accounts.user_for_token(header[7:].strip())
        return None

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import abort, redirect, url_for

        from .auth.views import safe_next
        from .errors import wants_json

        # API clients (a token, JSON, or an Accept that leaves HTML out, e.g. a PDF fetcher) get 401.
        if wants_json():
            abort(401, description=gettext("Sign in or send a valid 'Authorization: Bearer <token>' header."))
        return redirect(url_for("auth.login", next=safe_next(request.full_path)))

    from workshop.permissions import web as permissions_web

    permissions_web.install(app)
    settings.install(_config_value, _public_base_url)


def _config_value(name: str, default=None):
    # Outside an app (a plain unit test after another test built one): the default.
    return current_app.config.get(name, default) if has_app_context() else default


def _public_base_url() -> str:
    # PUBLIC_BASE_URL, else the host the request came to (none outside a request).
    if not has_app_context():
        return ""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    return base.rstrip("/")


def _select_locale():
    if not has_request_context():  # CLI and background work: the default (English)
        return None
    signed_in = bool(current_user and getattr(current_user, "is_authenticated", False))
    # A page's own calls to the API (the browser session, e.g. the intake preview) show
    # their words on that page: the user's choice, as the page.  A program with a token
    # says its reader's language with every request (Accept-Language).
    from_page = signed_in and not g.get("auth_via_token")
    if request.path.startswith("/api/") and request.headers.get("Accept-Language") and not (
            from_page and current_user.locale):
        best = request.accept_languages.best_match(["en", "zh_Hans", "zh_CN", "zh"])
        return "zh_Hans" if best and best.startswith("zh") else "en"
    if signed_in and current_user.locale:
        return current_user.locale
    best = request.accept_languages.best_match(["en", "zh_Hans", "zh_CN", "zh"])
    return "zh_Hans" if best and best.startswith("zh") else "en"


def register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import register_api
    from .auth import bp as auth_bp
    from .bench.views import bp as bench_bp
    from .health import bp as health_bp
    from .intake import views as _intake_views  # noqa: F401  (routes on the intake blueprint)
    from .intake.blueprint import bp as intake_bp
    from .intake.devices import views as _device_views  # noqa: F401  (routes on the intake blueprint)
    from .jobs.views import bp as jobs_bp
    from .main import bp as main_bp
    from .parts.views import bp as parts_bp
    from .printing.views import bp as printing_bp
    from .warranty import views as _policy_views  # noqa: F401  (routes on the intake blueprint)

    for bp in (auth_bp, health_bp, main_bp, jobs_bp, printing_bp, admin_bp, intake_bp, bench_bp, parts_bp):
        app.register_blueprint(bp)
    from .account.views import bp as account_bp
    from .pickup.views import bp as pickup_bp
    from .track import bp as track_bp

    for bp in (pickup_bp, track_bp, account_bp):
        app.register_blueprint(bp)
    from .aftercare.views import bp as aftercare_bp

    app.register_blueprint(aftercare_bp)
    from .profile import bp as profile_bp

    app.register_blueprint(profile_bp)

    from .reports import summary
    from .reports.views import bp as reports_bp

    app.register_blueprint(reports_bp)
    summary.install()
    from .jobs import name_index

    name_index.install()  # customers' names, found by the beginnings of their words
    register_api(app)


def register_commands(app: Flask) -> None:
    """Each domain registers its own commands."""
    from . import cli
    from .account import cli as account_cli
    from .aftercare.cli import complaints_cli, followups_cli
    from .backup.cli import backup_cli
    from .demo import cli as demo_cli
    from .intake import cli as intake_cli
    from .notifications import cli as notifications_cli
    from .parts import cli as parts_cli
    from .reports.cli import reports_cli

    for module in (notifications_cli, cli, demo_cli, parts_cli, intake_cli):
        module.register(app)
    account_cli.register_user_commands(cli.users_cli)
    app.cli.add_command(complaints_cli)
    app.cli.add_command(followups_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(reports_cli)


def register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from workshop.permissions.rules import can, may

    from .web import money

    app.add_template_global(money, "money")

    @app.context_processor
    def inject_helpers():
        # The user once per render (a page asks can() dozens of times; each look through
        # the current_user proxy costs a context-local lookup and Flask-Login's checks).
        user = current_user._get_current_object() if has_request_context() else None
        return {"can": lambda permission: can(user, permission),
                "may": lambda action, obj=None: may(user, action, obj), "get_locale": get_locale}
