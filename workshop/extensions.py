"""Extension objects, created unbound and initialised by create_app."""

from flask_babel import Babel
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

__all__ = ["babel", "csrf", "db", "login_manager", "migrate", "rest_api"]
