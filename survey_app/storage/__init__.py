"""Storage around sqlite-utils: every SQL statement of the project lives here."""
from survey_app.storage.db import Store, StoreBusy, StoreUnwritable, connect
from survey_app.storage.migrations import apply_migrations

__all__ = ["Store", "StoreBusy", "StoreUnwritable", "connect", "apply_migrations"]
