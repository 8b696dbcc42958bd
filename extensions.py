"""Flask extensions, created here once and initialised by the factory."""

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # our server-side auth sessions do this job, and survive IP changes

csrf = CSRFProtect()
