"""The application factory: the app exists only through `create_app(config=None)`."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from survey_app import config as configuration
from survey_app.storage import Store, apply_migrations


def create_app(config: dict | None = None) -> Flask:
    folder = configuration.instance_path()
    if config and config.get("INSTANCE_PATH"):
        folder = configuration.Path(config["INSTANCE_PATH"]).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(folder),
                template_folder=str(configuration.PROJECT_ROOT / "templates"))
    app.config.update(configuration.load(folder, config))
    app.url_map.converters["int"] = SQLiteInteger
    store = Store(app.config["DATABASE"], app.config["BUSY_TIMEOUT_MS"])
    apply_migrations(store.db)
    app.extensions["survey_store"] = store
    app.extensions["survey_forms"] = _load_forms(app)
    app.extensions["survey_files"] = folder / "files"
    _init_extensions(app)
    return app


class SQLiteInteger(IntegerConverter):
    """Ids in URLs fit SQLite's INTEGER: a larger number is a 404, not an overflow (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _load_forms(app: Flask):
    """Forms with an error are reported and skipped; the others still load."""
    from survey_app.domain.forms.library import FormLibrary
    forms = FormLibrary.load(app.config["FORMS_DIR"])
    for error in forms.errors:
        app.logger.error("Biểu mẫu bị bỏ qua: %s", error)
    return forms


def _init_extensions(app: Flask) -> None:
    from survey_app import cli
    from survey_app import web
    web.init_app(app)
    cli.init_app(app)
