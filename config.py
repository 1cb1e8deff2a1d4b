"""Configuration classes, driven by the environment.

``WORKSHOP_ENV`` picks the class (``development`` by default, ``production``,
``testing``).  ``DATABASE_URL`` selects the database; without it an SQLite file
under the instance folder is used.  ``SECRET_KEY`` must be set in production.
"""

from __future__ import annotations

import datetime
import importlib.util
import os


def normalise_database_url(url: str) -> str:
    """Make a plain ``postgresql://`` (or legacy ``postgres://``) URL use whichever
    PostgreSQL driver is installed: psycopg 3 when psycopg2 is absent."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if (url.startswith("postgresql://") and importlib.util.find_spec("psycopg2") is None
            and importlib.util.find_spec("psycopg")):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "SQLite file under the instance folder", resolved by create_app.
    SQLALCHEMY_DATABASE_URI = (
        normalise_database_url(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else None
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WORKSHOP_TIMEZONE = os.environ.get("WORKSHOP_TIMEZONE", "UTC")
    # Region for customer phone numbers typed without a country code (ISO 3166 code).
    WORKSHOP_PHONE_REGION = os.environ.get("WORKSHOP_PHONE_REGION", "CN")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Keep me signed in" lasts two weeks (Flask-Login's default is a year).
    REMEMBER_COOKIE_DURATION = datetime.timedelta(days=int(os.environ.get("REMEMBER_DAYS", "14")))
    PERMANENT_SESSION_LIFETIME = datetime.timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = None  # a counter PC stays on one form for hours
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "zh_Hans")
    # flask-smorest / OpenAPI
    API_TITLE = "Workshop API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    JSON_SORT_KEYS = False
    PASSWORD_HASH_METHOD = "scrypt"
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "workshop@localhost")
    # Notifications (workshop/notifications/outbox.py): SMTP login/STARTTLS when the
    # server wants them; SMS_SENDER = "package.module:factory" plugs in an SMS gateway.
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "0") == "1"
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMS_SENDER = os.environ.get("SMS_SENDER")
    OUTBOX_SEND_INTERVAL = float(os.environ.get("OUTBOX_SEND_INTERVAL", "30"))  # seconds
    # Under gunicorn, ``run:app`` may also send the outbox from a thread in every web
    # worker (development convenience).  Production sends from one ``flask outbox run``
    # process instead: OUTBOX_IN_WEB_WORKERS=1 turns the threads back on.
    OUTBOX_IN_WEB_WORKERS = os.environ.get("OUTBOX_IN_WEB_WORKERS", "1") == "1"
    CURRENCY_SYMBOL = os.environ.get("CURRENCY_SYMBOL", "¥")
    # UI translations (translations/<locale>/LC_MESSAGES/messages.po, compiled at start).
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")
    # The public status page is rate-limited per client IP (Flask-Limiter); several
    # workers need a shared store, e.g. RATELIMIT_STORAGE_URI=redis://localhost:6379.
    TRACK_RATE_LIMIT = os.environ.get("TRACK_RATE_LIMIT", "10 per minute")
    # Failed sign-ins per client IP (successful ones do not count): generous, since a
    # whole counter behind one NAT address shares it; and per account: tight.
    LOGIN_FAILURE_LIMIT = os.environ.get("LOGIN_FAILURE_LIMIT", "50 per 5 minutes")
    LOGIN_ACCOUNT_FAILURE_LIMIT = os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "5 per 5 minutes")
    # Receipt stubs scanned at pickup that are not the job's: per job (the phone digits
    # and an ID document still verify once it is used up).
    PICKUP_STUB_FAILURE_LIMIT = os.environ.get("PICKUP_STUB_FAILURE_LIMIT", "5 per 15 minutes")
    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto (0: trust none).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", "0"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Several installations on one Redis: a prefix per installation keeps their counts apart.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_HEADERS_ENABLED = True
    # Request bodies past this many bytes are refused with 413 (workshop/core/guards.py).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(32 * 1024 * 1024)))


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # run.py serves without the debugger; set FLASK_DEBUG to get it


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-a-secret"
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Cheap hashing keeps fixtures fast; the scrypt default is tested on its own.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Many tests sign in wrongly on purpose from one address; the limit has its own test.
    LOGIN_FAILURE_LIMIT = "1000 per minute"
    LOGIN_ACCOUNT_FAILURE_LIMIT = "1000 per minute"


class ProductionConfig(Config):
    ENV_NAME = "production"
    OUTBOX_IN_WEB_WORKERS = os.environ.get("OUTBOX_IN_WEB_WORKERS", "0") == "1"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") != "0"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("WORKSHOP_ENV", "development").lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"WORKSHOP_ENV={name!r}: expected one of {', '.join(CONFIGS)}") from None
