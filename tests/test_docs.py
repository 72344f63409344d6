"""The README documents every configuration key and every command (fails when one is added silently)."""
from __future__ import annotations

from pathlib import Path

from survey_app import cli
from survey_app.config import DEFAULTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_configuration_key_is_documented():
    missing = [key for key in DEFAULTS if f"`{key}`" not in README]
    assert missing == []


def test_every_command_is_documented():
    names = []
    for command in cli.COMMANDS:
        subcommands = getattr(command, "commands", None)
        names += [f"{command.name} {sub}" for sub in subcommands] if subcommands else [command.name]
    missing = [name for name in names if f"`{name}" not in README]
    assert missing == []


def test_the_two_commands_and_demo_accounts_are_documented():
    from survey_app.demo import DEMO_ACCOUNTS
    assert "make run" in README and "make test" in README
    for username, password, *_ in DEMO_ACCOUNTS:
        assert f"`{username}`" in README and f"`{password}`" in README
