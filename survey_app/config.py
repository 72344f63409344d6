"""Configuration: defaults, then the instance folder's `config.toml`, then
`SURVEY_APP_*` environment variables, then the dict a test passes; loaded with
Flask's own `Config.from_file` and `Config.from_prefixed_env`.

The secret key is generated into the instance folder on first start and never
committed.
"""
from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

from flask import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "SURVEY_APP_"

DEFAULTS = {
    "FORMS_DIR": str(PROJECT_ROOT / "forms"),
    "EXPORTS_DIR": str(PROJECT_ROOT / "exports"),
    "DATABASE": "survey_app.db",          # relative to the instance folder
    "BUSY_TIMEOUT_MS": 5000,              # a writer waits this long for the lock, then 503
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ["vi", "en"],
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,   # a sign-in lasts one working day from login,
    "SESSION_REFRESH_EACH_REQUEST": False,     # not renewed by each request
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 30 * 1024 * 1024,
    "BASE_URL": "http://127.0.0.1:5000",
    "ORGANISATION_NAME": "HĐND tỉnh Gia Lai",   # the sealing certificate's organisation
    "FOLLOWUP_DONE_REQUIRES": "evidence_or_note",  # or evidence, note, none
    # The organisation's key on a PKCS#11 token (USB token, HSM) instead of certs/organisation.p12
    "SIGNING_PKCS11_MODULE": "",          # path of the token's PKCS#11 library
    "SIGNING_PKCS11_TOKEN": "",           # token label
    "SIGNING_PKCS11_KEY": "",             # label of the key (and of its certificate)
    "SIGNING_PKCS11_PIN": "",             # the user PIN, or:
    "SIGNING_PKCS11_PIN_FILE": "",        # a file holding it, relative to the instance folder
    "SIGNING_TSA_URL": "",                # RFC 3161 timestamp authority: seals become PAdES B-LT
    "SIGNING_DOCUMENT_TIMESTAMP": False,  # and B-LTA, with a document timestamp after the seal
    "REPLICA_URL": None,                  # Litestream replica: a folder, file:///…, s3://…
    "REPLICA_SYNC_INTERVAL": "1s",        # how often Litestream ships new transactions
    "BENCHMARK_ROUTES": False,            # the bare /hello route `make bench` compares with
    "SMTP_HOST": "",                      # reminders by e-mail (remind --send); empty: not configured
    "SMTP_PORT": 0,                       # 0: 587 with starttls, 465 with tls, 25 with none
    "SMTP_TLS": "starttls",               # or tls (implicit, port 465), none (a trusted local relay)
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "MAIL_FROM": "",                      # e.g. "Ban Pháp chế HĐND tỉnh <bpc@hdnd.gialai.gov.vn>"
    # Verification of uploaded PDFs (public): cost limits, workers, rate limit, trust.
    "VERIFY_RATE_LIMIT": "20 per minute;200 per day",   # per address, page and API
    "VERIFY_MAX_SIGNATURES": 10,
    "VERIFY_MAX_REVISIONS": 20,
    "VERIFY_WORKERS": 2,          # verifications at once, each in a worker process
    "VERIFY_TIMEOUT": 20,         # seconds one verification may take
    "VERIFY_QUEUE_WAIT": 2,       # seconds a request waits for a free worker, then 503
    "TRUSTED_ROOTS": [],          # PEM files of trusted root certificates (and CRLs)
    "REPORT_DUE_DAYS": 10,        # the survey report is due this many days after the last visit
    "PUBLIC_RATE_LIMIT": "120 per minute;5000 per day",  # per address, the public report pages
}


def instance_path() -> Path:
    return Path(os.environ.get(ENV_PREFIX + "INSTANCE", "instance")).resolve()


def _lower_case_toml(handle) -> dict:
    """`config.toml` writes keys in lower case; Flask's config takes upper-case keys."""
    return {key.upper(): value for key, value in tomllib.load(handle).items()}


def secret_key(folder: Path) -> str:
    """Read the instance's secret key, creating it (mode 600) on first start."""
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def load(config: Config, folder: Path, overrides: dict | None = None) -> None:
    """Fill the app's `config` in the documented order; `SURVEY_APP_*` values are
    parsed as JSON when they can be (`true`, `2000`, `["vi","en"]`), else kept as text."""
    config.from_mapping(DEFAULTS)
    config.from_file(str(folder / "config.toml"), load=_lower_case_toml, silent=True, text=False)
    config.from_prefixed_env(ENV_PREFIX.rstrip("_"))
    config.pop("INSTANCE", None)  # SURVEY_APP_INSTANCE names the folder, read before the app exists
    config.update(overrides or {})
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secret_key(folder)
    database = Path(config["DATABASE"])
    config["DATABASE"] = str(database if database.is_absolute() else folder / database)
