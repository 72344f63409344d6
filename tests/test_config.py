"""Configuration as the README documents it: defaults, then the instance's config.toml
(lower-case keys), then SURVEY_APP_* variables parsed as JSON when they can be, then
the dict a test passes."""
from __future__ import annotations

from survey_app import create_app
from survey_app.config import DEFAULTS


def test_environment_values_are_json_when_they_can_be_and_text_otherwise(tmp_path, monkeypatch):
    folder = tmp_path / "inst"
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(folder))
    monkeypatch.setenv("SURVEY_APP_LANGUAGES", '["vi"]')
    monkeypatch.setenv("SURVEY_APP_SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("SURVEY_APP_ORGANISATION_NAME", "HĐND tỉnh Kon Tum")
    monkeypatch.setenv("SURVEY_APP_BUSY_TIMEOUT_MS", "250")
    config = create_app({"SECRET_KEY": "x"}).config
    assert config["LANGUAGES"] == ["vi"] and config["SESSION_COOKIE_SECURE"] is False
    assert config["ORGANISATION_NAME"] == "HĐND tỉnh Kon Tum" and config["BUSY_TIMEOUT_MS"] == 250
    assert "INSTANCE" not in config  # names the folder; not a setting of the app
    assert config["DATABASE"] == str(folder / "survey_app.db")


def test_defaults_hold_without_a_config_file_and_a_file_overrides_them(tmp_path, monkeypatch):
    folder = tmp_path / "inst"
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(folder))
    bare = create_app({"SECRET_KEY": "x"}).config
    assert {key: bare[key] for key in DEFAULTS if key != "DATABASE"} == \
        {key: value for key, value in DEFAULTS.items() if key != "DATABASE"}
    (folder / "config.toml").write_text('database = "other.db"\nlanguages = ["en", "vi"]\n'
                                        'followup_done_requires = "evidence"\n')
    monkeypatch.setenv("SURVEY_APP_FOLLOWUP_DONE_REQUIRES", "note")
    config = create_app({"SECRET_KEY": "x"}).config
    assert config["DATABASE"] == str(folder / "other.db") and config["LANGUAGES"] == ["en", "vi"]
    assert config["FOLLOWUP_DONE_REQUIRES"] == "note"  # the environment comes after the file
