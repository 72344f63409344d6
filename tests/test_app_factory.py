"""The app factory: the instance folder, the generated secret key, configuration
from the instance file, the environment and the factory's dict; headers on every answer."""
from __future__ import annotations

import os

from survey_app import create_app


def test_factory_uses_instance_folder_and_generates_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path / "inst"))
    monkeypatch.setenv("SURVEY_APP_BASE_URL", "https://khaosat.example.vn")
    app = create_app()
    secret = (tmp_path / "inst" / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == secret and len(secret) == 64
    assert oct(os.stat(tmp_path / "inst" / "secret_key").st_mode)[-3:] == "600"
    assert app.config["DATABASE"] == str(tmp_path / "inst" / "survey_app.db")
    assert app.config["BASE_URL"] == "https://khaosat.example.vn"
    assert create_app().config["SECRET_KEY"] == secret  # the same key on the next start


def test_instance_config_file_then_environment_then_dict(tmp_path, monkeypatch):
    folder = tmp_path / "inst"
    folder.mkdir()
    (folder / "config.toml").write_text('base_url = "https://a.vn"\nmax_content_length = 1000\n')
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(folder))
    monkeypatch.setenv("SURVEY_APP_MAX_CONTENT_LENGTH", "2000")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["BASE_URL"] == "https://a.vn"
    assert app.config["MAX_CONTENT_LENGTH"] == 2000
    assert create_app({"BASE_URL": "https://b.vn"}).config["BASE_URL"] == "https://b.vn"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_health_is_public(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
