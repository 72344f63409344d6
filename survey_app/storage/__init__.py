"""Storage around sqlite-utils: every SQL statement of the project lives here."""
from .db import Store, StoreBusy, StoreUnwritable, connect
from .migrations import apply_migrations

__all__ = ["Store", "StoreBusy", "StoreUnwritable", "connect", "apply_migrations"]
