"""The application factory: the app exists only through `create_app(config=None)`."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from survey_app import config as configuration
from survey_app import services


def create_app(config: dict | None = None) -> Flask:
    folder = configuration.instance_path()
    if config and config.get("INSTANCE_PATH"):
        folder = configuration.Path(config["INSTANCE_PATH"]).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(folder),
                template_folder=str(configuration.PROJECT_ROOT / "templates"))
    configuration.load(app.config, folder, config)
    app.url_map.converters["int"] = SQLiteInteger
    services.init_app(app)
    _init_extensions(app)
    return app


class SQLiteInteger(IntegerConverter):
    """Ids in URLs fit SQLite's INTEGER: a larger number is a 404, not an overflow (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _init_extensions(app: Flask) -> None:
    from survey_app import cli
    from survey_app import web
    web.init_app(app)
    cli.init_app(app)
