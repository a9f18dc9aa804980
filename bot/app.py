"""The Flask app factory. Nothing connects at import; create_app wires services once."""
from __future__ import annotations

import logging

from flask import Flask, jsonify

from bot import settings as settings_module
from bot.bootstrap import Services, bootstrap


def create_app(settings: settings_module.Settings | None = None, *, services: Services | None = None) -> Flask:
    if services is None:
        services = bootstrap(settings or settings_module.load())
    app = Flask(__name__)
    app.config["SECRET_KEY"] = services.settings.secret_key
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    app.extensions["linli"] = services

    from bot import chat_api, meeting_pages, meetings_api, web, wechat_callback, workbench

    app.register_blueprint(wechat_callback.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(chat_api.bp)
    app.register_blueprint(workbench.bp)
    app.register_blueprint(meetings_api.bp)
    app.register_blueprint(meeting_pages.bp)

    @app.get("/healthz")
    def health():
        return jsonify(status="ok")

    @app.errorhandler(400)
    @app.errorhandler(401)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    def _client_error(error):
        return jsonify(error=getattr(error, "description", str(error))), error.code

    return app


def configure_logging(level: int = logging.INFO) -> None:
    """Structured key=value lines on stderr."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if level > logging.DEBUG:
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin otherwise
