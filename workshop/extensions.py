"""Extension objects, created unbound and initialised by create_app."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from models import db

login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
babel = Babel()
rest_api = Api()
# Rate limits are opt-in per view (the public status page); storage: RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address)

__all__ = ["babel", "csrf", "db", "login_manager", "migrate", "rest_api"]
