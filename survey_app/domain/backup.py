"""Backup and restore of a live instance: the SQLite online backup, the stored files
(photos, evidence, signed minutes) and the certificates that sealed them, in one tar
archive written atomically.

Files are content-addressed and never rewritten, so copying them after the database
snapshot always includes every file the snapshot refers to. Every certificate that
ever sealed is kept, so a restored instance verifies every sealed document. The
organisation's private key goes in only encrypted with a passphrase the operator
gives (never with the passphrase file beside it); a key on a token stays on the token.
A restore checks everything before it changes anything.
"""
from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from survey_app.clock import now_utc
from survey_app.domain import audit
from survey_app.domain.minutes import keys
from survey_app.markers import N_
from survey_app.storage import backup as sql
from survey_app.storage.audit_seal import ANCHOR_FILE, KEY_FILE, AuditSeal
from survey_app.storage.schema import apply_migrations

DB_NAME = "survey_app.db"
MANIFEST = "backup.json"
FORMAT = "survey-app-backup/2"
KEY_NAME = "certs/organisation.p12"
AUDIT_FILES = (f"audit/{KEY_FILE}", f"audit/{ANCHOR_FILE}")
TRUSTED_PREFIX = "certs/trusted/"

KEY_INCLUDED, KEY_LEFT_OUT, KEY_ON_TOKEN, NO_KEY = "encrypted", "left_out", "token", "none"


class KeyPassphraseNeeded(sql.NotABackup):
    """The archive holds the encrypted key and no passphrase was given."""


@dataclass
class BackupSummary:
    files: int
    trusted: int
    key: str  # one of KEY_INCLUDED, KEY_LEFT_OUT, KEY_ON_TOKEN, NO_KEY


def backup_instance(store, files_dir: Path, out_file: str | Path, certs: Path | None = None,
                    key_passphrase: str | None = None, key_on_token: bool = False,
                    actor: dict | None = None) -> BackupSummary:
    """Write the archive: database, stored files, trusted certificates, and the key
    encrypted with `key_passphrase` when one is given."""
    out_file = Path(out_file)
    store.write(audit.record, actor, "instance.backup", "instance", "-", {"file": out_file.name})
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / DB_NAME
        store.read(sql.backup_to, snapshot)
        partial = out_file.with_name(f".{out_file.name}.partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(snapshot, arcname=DB_NAME)
            count = _add_files(archive, Path(files_dir))
            trusted = _add_trusted(archive, certs)
            key = _add_key(archive, certs, key_passphrase, key_on_token)
            _add_audit_seal(archive, store.audit_seal)
            _add_bytes(archive, MANIFEST, json.dumps(
                {"format": FORMAT, "created_at": now_utc(), "files": count, "trusted": trusted,
                 "key": key}, ensure_ascii=False).encode("utf-8"))
        os.replace(partial, out_file)
    return BackupSummary(count, trusted, key)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    import io
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _add_files(archive: tarfile.TarFile, files_dir: Path) -> int:
    count = 0
    for path in sorted(files_dir.rglob("*")) if files_dir.exists() else []:
        if path.is_file() and not path.name.startswith(".tmp-"):
            archive.add(path, arcname=f"files/{path.relative_to(files_dir)}")
            count += 1
    return count


def _add_trusted(archive: tarfile.TarFile, certs: Path | None) -> int:
    folder = Path(certs) / keys.TRUSTED if certs else None
    pems = sorted(folder.glob("*.pem")) if folder and folder.exists() else []
    for pem in pems:
        archive.add(pem, arcname=TRUSTED_PREFIX + pem.name)
    return len(pems)


def _add_audit_seal(archive: tarfile.TarFile, seal: AuditSeal | None) -> None:
    """The audit chain's key and anchors, without which the restored trail cannot be checked."""
    if seal is not None:
        _add_bytes(archive, AUDIT_FILES[0], seal.key.hex().encode("ascii"))
        if seal.anchors.exists():
            archive.add(seal.anchors, arcname=AUDIT_FILES[1])


def _restore_audit_seal(store, folder: Path) -> None:
    """Put back the archive's audit key and anchors (the restored trail was written with them)."""
    seal = store.audit_seal
    if seal is None or not (folder / AUDIT_FILES[0]).exists():
        return
    instance = seal.anchors.parent
    for name, target in zip(AUDIT_FILES, (KEY_FILE, ANCHOR_FILE)):
        source = folder / name
        if source.exists():
            temporary = instance / f".{target}.restoring"
            shutil.copyfile(source, temporary)
            os.chmod(temporary, 0o600)
            os.replace(temporary, instance / target)
    restored = AuditSeal.for_instance(instance)
    seal.key, seal._keyed_from = restored.key, None  # the one object every connection holds


def _add_key(archive: tarfile.TarFile, certs: Path | None, passphrase: str | None, on_token: bool) -> str:
    if on_token:
        return KEY_ON_TOKEN
    if certs is None or not (Path(certs) / keys.P12).exists():
        return NO_KEY
    if not passphrase:
        return KEY_LEFT_OUT
    _add_bytes(archive, KEY_NAME, keys.export_key(Path(certs), passphrase))
    return KEY_INCLUDED


def _safe_members(archive: tarfile.TarFile):
    for member in archive.getmembers():
        name = Path(member.name)
        if not member.isfile() or name.is_absolute() or ".." in name.parts:
            raise sql.NotABackup(N_("Tệp sao lưu chứa mục không hợp lệ: '%(name)s'."), name=member.name)
        known = member.name in (DB_NAME, MANIFEST, KEY_NAME, *AUDIT_FILES) or name.parts[0] == "files" or \
            (member.name.startswith(TRUSTED_PREFIX) and len(name.parts) == 3 and name.suffix == ".pem")
        if not known:
            raise sql.NotABackup(N_("Tệp sao lưu chứa mục lạ: '%(name)s'."), name=member.name)
        yield member


def restore_instance(store, files_dir: Path, in_file: str | Path, certs: Path | None = None,
                     key_passphrase: str | None = None, without_key: bool = False,
                     actor: dict | None = None) -> list[str]:
    """Restore an archive made by `backup_instance` (or a bare database file); return
    the migrations applied to bring it up to date. Anything that is not an intact
    survey_app backup with the expected schema is refused before anything changes."""
    if not tarfile.is_tarfile(in_file):
        store.overwrite(sql.restore_from, in_file)
        return _restored(store, in_file, actor)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(in_file) as archive:
        archive.extractall(tmp, members=list(_safe_members(archive)), filter="data")
        folder = Path(tmp)
        database = folder / DB_NAME
        if not database.exists():
            raise sql.NotABackup(N_("Tệp sao lưu không có cơ sở dữ liệu."))
        sql.check_backup(database)
        key = _checked_key(folder / KEY_NAME, key_passphrase, without_key)
        _copy_files(folder / "files", Path(files_dir))
        if certs is not None:
            keys.add_trust_roots(certs, [p.read_bytes() for p in sorted((folder / TRUSTED_PREFIX).glob("*.pem"))])
            if key is not None:
                keys.install_certificate(certs, key, key_passphrase)
        _restore_audit_seal(store, folder)
        store.overwrite(sql.restore_from, database)
    return _restored(store, in_file, actor)


def _restored(store, in_file, actor: dict | None) -> list[str]:
    """Bring the restored database up to date and say in its own trail that it was restored."""
    applied = apply_migrations(store.db)
    store.write(audit.record, actor, "instance.restore", "instance", "-",
                {"file": Path(in_file).name, "migrations": applied})
    return applied


def _checked_key(path: Path, passphrase: str | None, without_key: bool) -> bytes | None:
    """The archive's encrypted key, after checking the passphrase opens it."""
    if not path.exists() or without_key:
        return None
    if not passphrase:
        raise KeyPassphraseNeeded(N_("Bản sao lưu có khóa ký số đã mã hóa: vui lòng cung cấp mật khẩu "
                                     "khóa (--key-passphrase-file), hoặc chọn --without-key để khôi phục "
                                     "không kèm khóa."))
    from cryptography.hazmat.primitives.serialization import pkcs12
    try:
        pkcs12.load_key_and_certificates(path.read_bytes(), passphrase.encode("utf-8"))
    except ValueError:
        raise KeyPassphraseNeeded(N_("Mật khẩu khóa ký số không đúng; dữ liệu hiện tại giữ nguyên.")) from None
    return path.read_bytes()


def _copy_files(source: Path, target: Path) -> None:
    for path in source.rglob("*") if source.exists() else []:
        if path.is_file():
            destination = target / path.relative_to(source)
            if not destination.exists():
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
