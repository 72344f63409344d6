"""The one SQLite file: opening connections and the single write path.

Every connection has WAL, foreign keys and a busy timeout. Every change runs as
one function inside one ``BEGIN IMMEDIATE`` transaction (`Store.write`), so a
writer either waits for the lock within the busy timeout or fails as a whole
with `StoreBusy`, which the web layer turns into a retryable 503.
"""
from __future__ import annotations

import errno
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

import sqlite_utils

T = TypeVar("T")
BUSY_TIMEOUT_MS = 5000


def one(db, sql: str, params=()) -> dict | None:
    """The first row of a query as a dict, or None."""
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


class StoreBusy(Exception):
    """The database stayed locked for longer than the busy timeout."""


def private_file(path: str | Path) -> None:
    """Make the database file exist with mode 0600 before SQLite opens it: SQLite gives
    its -wal and -shm files the mode of the database file, so none of the three is
    readable by other accounts on the machine. A file found wider is narrowed.

    An existing file is never opened here: closing any descriptor of a file drops
    every POSIX lock this process holds on it, which would break the locks of the
    connections already open (SQLite's own warning about close())."""
    if str(path) in ("", ":memory:") or str(path).startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:  # a read-only folder: SQLite reports what it can and cannot do
        return
    for name in (str(path), f"{path}-wal", f"{path}-shm"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except OSError:
            pass


def connect(path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite_utils.Database:
    private_file(path)
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False,
        timeout=busy_timeout_ms / 1000,
    )
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return sqlite_utils.Database(conn)


class Store:
    """A SQLite file with one connection per thread (waitress serves on threads)."""

    def __init__(self, path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS, audit_seal=None):
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self.audit_seal = audit_seal  # storage.audit_seal.AuditSeal, or None (no key: plain chain)
        self._local = threading.local()

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path, self.busy_timeout_ms)
            db.audit_seal = self.audit_seal
            db.anchor_after_commit = None
            self._local.db = db
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return fn(self.db, *args, **kwargs)

    def overwrite(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(db, *args)`` that replaces the whole database (a restore). SQLite's
        backup API takes its own lock page by page, so it runs outside a transaction;
        it is still the one way a restore writes, never `read`."""
        db = self.db
        if db.conn.in_transaction:
            raise RuntimeError("a restore cannot run inside another write")
        return fn(db, *args, **kwargs)

    def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(db, *args)`` in one BEGIN IMMEDIATE transaction."""
        db = self.db
        if db.conn.in_transaction:  # nested call: part of the caller's transaction
            return fn(db, *args, **kwargs)
        try:
            db.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise StoreBusy(str(error)) from error
            raise unwritable(error) or error
        db.anchor_after_commit = None
        try:
            result = fn(db, *args, **kwargs)
            db.conn.execute("COMMIT")
        except BaseException as error:
            if db.conn.in_transaction:
                try:
                    db.conn.execute("ROLLBACK")
                except sqlite3.Error:  # a full disk may refuse even that; SQLite rolls back itself
                    pass
            if isinstance(error, sqlite3.Error):
                raise unwritable(error) or error
            raise
        _anchor(db)
        return result


def _anchor(db) -> None:
    """After the commit, write the audit chain's new head outside the database."""
    head, db.anchor_after_commit = db.anchor_after_commit, None
    if head is not None and db.audit_seal is not None:
        db.audit_seal.anchor(*head)


class StoreUnwritable(OSError):
    """The disk is full or the instance folder read-only: nothing was written."""


UNWRITABLE = {"database or disk is full": errno.ENOSPC, "readonly database": errno.EROFS,
              "disk I/O error": errno.EIO}


def unwritable(error: BaseException) -> StoreUnwritable | None:
    """A SQLite error that means a full disk or read-only folder, as an OSError."""
    if not isinstance(error, sqlite3.Error):
        return None
    for marker, code in UNWRITABLE.items():
        if marker in str(error):
            unwritable = StoreUnwritable(code, str(error))
            unwritable.__cause__ = error
            return unwritable
    return None
