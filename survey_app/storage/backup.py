"""Online backup and restore of the SQLite file."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from survey_app.markers import N_, WordedError
from survey_app.storage.schema import MIGRATION_SET, expected_schema, is_survey_app_database, schema_of


class NotABackup(WordedError):
    """The file is not a readable survey_app database."""


def backup_to(db, file: str | Path) -> None:
    target = sqlite3.connect(str(file))
    try:
        db.conn.backup(target)
    finally:
        target.close()


def _check_candidate(file: str | Path) -> sqlite3.Connection:
    try:
        source = sqlite3.connect(f"file:{Path(file).resolve()}?mode=ro", uri=True)
        ok = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError as error:
        raise NotABackup(N_("'%(file)s' không phải là tệp cơ sở dữ liệu SQLite: vui lòng chọn một tệp sao lưu "
                            "của survey_app."), file=str(file)) from error
    import sqlite_utils
    db = sqlite_utils.Database(source)
    if not ok or not is_survey_app_database(db):
        source.close()
        raise NotABackup(N_("'%(file)s' không phải là bản sao lưu của survey_app; dữ liệu hiện tại giữ nguyên."),
                         file=str(file))
    problem = _schema_problem(db)
    if problem:
        source.close()
        raise NotABackup(problem[0], file=str(file), **problem[1])
    return source


def _schema_problem(db) -> tuple[str, dict] | None:
    """Tables, indexes, triggers and views must be exactly those its migrations make:
    a backup with a trigger removed or an object added is not restored."""
    applied = [row[0] for row in db.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid", [MIGRATION_SET])]
    try:
        expected = expected_schema(applied)
    except ValueError as error:
        return N_("'%(file)s': bản sao lưu từ phiên bản mới hơn của ứng dụng (bước cập nhật lạ: %(step)s); dữ "
                  "liệu hiện tại giữ nguyên."), {"step": str(error)}
    actual = schema_of(db)
    if actual != expected:
        names = sorted({row[1] for row in actual ^ expected})
        return N_("'%(file)s': cấu trúc cơ sở dữ liệu khác với cấu trúc chuẩn (%(names)s); dữ liệu hiện tại "
                  "giữ nguyên."), {"names": ", ".join(names[:5])}
    return None


def check_backup(file: str | Path) -> None:
    """Raise NotABackup unless the file is an intact survey_app database."""
    _check_candidate(file).close()


def restore_from(db, file: str | Path) -> None:
    """Copy the backup over the live database, after checking it is ours and intact."""
    source = _check_candidate(file)
    try:
        source.backup(db.conn)
    finally:
        source.close()
