"""The `survey-app` console script: Flask's command group around `create_app`."""
from __future__ import annotations

from flask.cli import FlaskGroup

from survey_app.app import create_app
from survey_app.cli.commands import fail
from survey_app.domain.files import disk_problem


def main():
    cli = FlaskGroup(create_app=create_app, add_default_commands=False, add_version_option=False,
                     help="survey_app: khảo sát, biên bản và theo dõi kiến nghị.")
    try:
        cli.main(prog_name="survey-app")
    except Exception as error:  # a full disk or read-only folder: a clear message, no traceback
        from survey_app.storage.db import unwritable
        problem = unwritable(error) or error
        message = disk_problem(problem)
        if message is None:
            raise
        fail(f"{message} ({problem.filename or problem.strerror})", 1)
