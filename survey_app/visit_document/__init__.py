"""The visit document `survey-visit/1`: the JSON a tablet or an integration sends.

`SCHEMA` is its JSON Schema (`schema_path()`, draft 2020-12); `validate_document`
checks one document against the schema and its checklist form, raising
`DocumentError(message, field)` for the first problem and returning the form's
consistency warnings. The format is documented in `README.md` next to this file.
"""
from survey_app.visit_document.validate import (
    FORMAT,
    SCHEMA,
    DocumentError,
    validate_document,
    schema_path,
)

__all__ = ["FORMAT", "SCHEMA", "DocumentError", "schema_path", "validate_document"]
