"""Flask extensions, created here once and initialised by the factory."""

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from i18n import _l

login_manager = LoginManager()
login_manager.login_view = "auth.login"
# Lazy, and made a plain string in the request's language when flashed (a lazy string cannot go in the session).
login_manager.login_message = _l("Please sign in to continue.")
login_manager.localize_callback = str
login_manager.login_message_category = "info"
login_manager.session_protection = None  # our server-side auth sessions do this job, and survive IP changes

csrf = CSRFProtect()
