"""Backup and restore of a live instance: the SQLite online backup plus the stored
files (photos, evidence, signed minutes), in one tar archive written atomically.

Files are content-addressed and never rewritten, so copying them after the database
snapshot always includes every file the snapshot refers to.
"""
from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from survey_app.storage import backup as sql

DB_NAME = "survey_app.db"


def backup_instance(store, files_dir: Path, out_file: str | Path) -> int:
    """Write the archive; return how many stored files it holds."""
    out_file = Path(out_file)
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / DB_NAME
        store.read(sql.backup_to, snapshot)
        partial = out_file.with_name(f".{out_file.name}.partial")
        count = 0
        with tarfile.open(partial, "w") as archive:
            archive.add(snapshot, arcname=DB_NAME)
            for path in sorted(Path(files_dir).rglob("*")) if Path(files_dir).exists() else []:
                if path.is_file() and not path.name.startswith(".tmp-"):
                    archive.add(path, arcname=f"files/{path.relative_to(files_dir)}")
                    count += 1
        os.replace(partial, out_file)
    return count


def _safe_members(archive: tarfile.TarFile):
    for member in archive.getmembers():
        name = Path(member.name)
        if not member.isfile() or name.is_absolute() or ".." in name.parts:
            raise sql.NotABackup(f"tệp sao lưu chứa mục không hợp lệ: {member.name!r}")
        if member.name != DB_NAME and name.parts[0] != "files":
            raise sql.NotABackup(f"tệp sao lưu chứa mục lạ: {member.name!r}")
        yield member


def restore_instance(store, files_dir: Path, in_file: str | Path) -> None:
    """Restore an archive made by `backup_instance` (or a bare database file).
    Anything that is not a survey_app backup is refused before anything changes."""
    if not tarfile.is_tarfile(in_file):
        store.read(sql.restore_from, in_file)
        return
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(in_file) as archive:
        archive.extractall(tmp, members=list(_safe_members(archive)), filter="data")
        database = Path(tmp) / DB_NAME
        if not database.exists():
            raise sql.NotABackup("tệp sao lưu không có cơ sở dữ liệu")
        sql.check_backup(database)
        _copy_files(Path(tmp) / "files", Path(files_dir))
        store.read(sql.restore_from, database)


def _copy_files(source: Path, target: Path) -> None:
    for path in source.rglob("*") if source.exists() else []:
        if path.is_file():
            destination = target / path.relative_to(source)
            if not destination.exists():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
