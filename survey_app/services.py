"""The app's services, for the web layer and the command line alike: the store, the
checklist forms, the folders of stored files (photos, evidence, minutes), the minutes'
environment and the follow-up's done rule. `init_app` makes them once per app; the
accessors read them from the current app (or the app given)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from survey_app.domain.followup.operations import DONE_RULES
from survey_app.domain.forms.library import FormLibrary
from survey_app.domain.minutes.keys import DEFAULT_ORGANISATION, SigningConfig
from survey_app.domain.minutes.operations import MinutesEnv
from survey_app.domain.audit import start_sealing
from survey_app.domain.minutes.verification import VerifySettings
from survey_app.storage import Store, apply_migrations
from survey_app.storage.audit_seal import AuditSeal

STORE, FORMS, FILES = "survey_store", "survey_forms", "survey_files"


def init_app(app: Flask) -> None:
    """Open the store (migrations applied), load the forms, name the files folder."""
    store = Store(app.config["DATABASE"], app.config["BUSY_TIMEOUT_MS"],
                  AuditSeal.for_instance(Path(app.instance_path)))
    apply_migrations(store.db)
    start_sealing(store.db)
    app.extensions[STORE] = store
    app.extensions[FORMS] = _load_forms(app, store)
    app.extensions[FILES] = Path(app.instance_path) / "files"


def _load_forms(app: Flask, store) -> FormLibrary:
    """Forms with an error are reported and skipped; the others still load (with the
    versions published in the database)."""
    forms = FormLibrary.load(app.config["FORMS_DIR"], store)
    for error in forms.errors:
        app.logger.error("Biểu mẫu bị bỏ qua: %s", error)
    return forms


def _app(app: Flask | None) -> Flask:
    return app if app is not None else current_app


def store(app: Flask | None = None):
    return _app(app).extensions[STORE]


def forms(app: Flask | None = None) -> FormLibrary:
    return _app(app).extensions[FORMS]


def files_dir(app: Flask | None = None) -> Path:
    """The folder of every stored file (what a backup takes with the database)."""
    return _app(app).extensions[FILES]


def photos_dir(app: Flask | None = None) -> Path:
    return files_dir(app) / "photos"


def evidence_dir(app: Flask | None = None) -> Path:
    return files_dir(app) / "evidence"


def minutes_dir(app: Flask | None = None) -> Path:
    return files_dir(app) / "minutes"


def certs_dir(app: Flask | None = None) -> Path:
    return Path(_app(app).instance_path) / "certs"


def minutes_env(app: Flask | None = None) -> MinutesEnv:
    app = _app(app)
    return MinutesEnv(files=minutes_dir(app), photos=photos_dir(app), certs=certs_dir(app),
                      base_url=app.config["BASE_URL"],
                      organisation=app.config.get("ORGANISATION_NAME", DEFAULT_ORGANISATION),
                      signing=SigningConfig.from_config(app.config, Path(app.instance_path)),
                      verification=verify_settings(app.config))


def verify_settings(config) -> VerifySettings:
    """The cost limits of one verification and the trusted roots, from the configuration."""
    roots = config.get("TRUSTED_ROOTS") or ()
    return VerifySettings(max_signatures=int(config["VERIFY_MAX_SIGNATURES"]),
                          max_revisions=int(config["VERIFY_MAX_REVISIONS"]),
                          workers=int(config["VERIFY_WORKERS"]), timeout=float(config["VERIFY_TIMEOUT"]),
                          wait=float(config["VERIFY_QUEUE_WAIT"]),
                          trusted_roots=(roots,) if isinstance(roots, str) else tuple(roots))


def done_rule(app: Flask | None = None) -> str:
    """What moving a recommendation to done needs (`FOLLOWUP_DONE_REQUIRES`); an unknown
    setting falls back to the default rather than refusing every report."""
    rule = _app(app).config.get("FOLLOWUP_DONE_REQUIRES", "evidence_or_note")
    return rule if rule in DONE_RULES else "evidence_or_note"
