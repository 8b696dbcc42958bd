"""A hello-world Flask page, served by gunicorn with Loupe's production settings as the ceiling of measure 5."""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "Hello, world!"

    return app
