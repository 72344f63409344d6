"""The command line (`survey-app`, also `flask --app survey_app`): every command
is registered here; `commands.py` holds the commands of the instance and its records,
`setup.py` those that set up forms and delegations, `main.py` the console script."""
from __future__ import annotations

from flask import Flask

from survey_app.cli.commands import (
    audit_group, backup_command, certificate_group, create_user_command, export_visit_command, import_command,
    init_command, minutes_command, remind_command, restore_command, serve_command, set_email_command,
    token_group, verify_command,
)
from survey_app.cli.setup import delegation_group, form_group
from survey_app.cli.units import unit_group

COMMANDS = [audit_group, init_command, serve_command, create_user_command, set_email_command, token_group,
            backup_command, restore_command, import_command, export_visit_command,
            remind_command, minutes_command, verify_command, form_group, delegation_group, certificate_group,
            unit_group]


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
