"""Storage around sqlite-utils: every SQL statement of the project lives here."""
from survey_app.storage import migrations  # noqa: F401  (registers every migration, in order)
from survey_app.storage.db import Store, StoreBusy, StoreUnwritable, connect
from survey_app.storage.schema import apply_migrations

__all__ = ["Store", "StoreBusy", "StoreUnwritable", "connect", "apply_migrations"]
