"""A full disk or a read-only folder while saving and exporting: a clear Vietnamese
error (HTTP 507/503, CLI exit ≠ 0, no traceback), no half-written file left, the
database intact with the earlier data.

The full or read-only folder is a real small tmpfs (the tests run as root in CI);
`test_cli_export_over_the_file_size_limit` uses RLIMIT_FSIZE instead, which needs no
privilege, so the no-half-file rule is proven on any machine."""
from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import urllib.error
import urllib.request

import pytest

from . import security_world as world
from .live import BIN, LiveServer
from .support import seed_visit

FULL_MESSAGE = "ổ đĩa của máy chủ đã đầy"
READ_ONLY_MESSAGE = "chế độ chỉ đọc"


@contextlib.contextmanager
def tmpfs(path, size_kb: int):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(folder) -> None:
    """Use up the free space of the folder's file system."""
    for i, chunk in enumerate((65536, 4096, 512, 1)):
        fd = os.open(folder / f"filler-{i}", os.O_WRONLY | os.O_CREAT)
        with contextlib.suppress(OSError):
            while os.write(fd, b"\0" * chunk):
                pass
        os.close(fd)


def remount_read_only(folder) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def leftovers(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
                  and not p.name.startswith("filler"))


@pytest.fixture
def server_folder(tmp_path, demo_instance):
    """An instance (the demo, with a draft of the seed visit's minutes) ready for a server."""
    shutil.copytree(demo_instance, tmp_path / "instance")
    return tmp_path


def _env(folder, instance=None, exports=None):
    return {**os.environ, "SURVEY_APP_INSTANCE": str(instance or folder / "instance"),
            "SURVEY_APP_EXPORTS_DIR": str(exports or folder / "exports")}


def _cli(folder, *args, instance=None, preexec=None):
    return subprocess.run([str(BIN / "survey-app"), *args], env=_env(folder, instance), capture_output=True,
                          text=True, preexec_fn=preexec, timeout=120)


def _draft(folder) -> str:
    """A draft of the seed visit's minutes; the visit's id, as the CLI takes it."""
    from .conftest import make_app
    app = make_app(folder)
    token = world.accounts.create_token(app.extensions["survey_store"], "admin")
    visit_id = seed_visit(app.extensions["survey_store"])["id"]
    response = app.test_client().post(f"/api/v1/visits/{visit_id}/minutes/draft", headers=world.bearer(token))
    assert response.status_code == 200
    app.extensions["survey_store"].close()
    return str(visit_id)


def _assert_clean_failure(result, message):
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def _integrity(database) -> None:
    db = sqlite3.connect(database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM visits WHERE id = 1").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] >= 7
    db.close()


def test_cli_exports_into_a_full_then_read_only_folder(server_folder):
    visit = _draft(server_folder)
    with tmpfs(server_folder / "full", 256) as out:
        fill(out)
        result = _cli(server_folder, "minutes", visit, "--out", str(out / "bien-ban.pdf"))
        _assert_clean_failure(result, FULL_MESSAGE)
        assert leftovers(out) == []
        remind = _cli(server_folder, "remind", "--days", "400", "--out", str(out / "nhac-viec"))
        _assert_clean_failure(remind, FULL_MESSAGE)
        assert leftovers(out) == []
        for filler in out.glob("filler*"):
            filler.unlink()
        remount_read_only(out)
        result = _cli(server_folder, "minutes", visit, "--out", str(out / "bien-ban.pdf"))
        _assert_clean_failure(result, READ_ONLY_MESSAGE)
        assert leftovers(out) == []
    _integrity(server_folder / "instance" / "survey_app.db")
    ok = _cli(server_folder, "minutes", visit, "--out", str(server_folder / "ok.pdf"))  # still works elsewhere
    assert ok.returncode == 0 and (server_folder / "ok.pdf").read_bytes().startswith(b"%PDF")


def _limit_file_size(limit: int):
    def preexec():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def test_cli_export_over_the_file_size_limit(server_folder):
    visit = _draft(server_folder)
    out = server_folder / "out"
    out.mkdir()
    # The database is larger than the limit but only read (its -shm is 32 kB); the PDF (≈ 38 kB) is not.
    result = _cli(server_folder, "minutes", visit, "--out", str(out / "bien-ban.pdf"),
                  preexec=_limit_file_size(36 * 1024))
    _assert_clean_failure(result, "vượt giới hạn kích thước")
    assert leftovers(out) == []
    _integrity(server_folder / "instance" / "survey_app.db")


def _post(url, body: bytes, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_saving_on_a_full_disk_through_the_real_server(server_folder, tmp_path):
    with tmpfs(tmp_path / "disk", 2048) as disk:
        shutil.copytree(server_folder / "instance", disk / "instance")
        token = _cli(server_folder, "token", "create", "admin", instance=disk / "instance").stdout.strip()
        auth = {"Authorization": f"Bearer {token}"}
        server = LiveServer(tmp_path)
        server.env.update(_env(tmp_path, disk / "instance"))
        changes = f"/api/v1/visits/{server.seed_visit_id()}/changes"
        server.start()
        try:
            saved = {"id": "disk-ok-000001", "target": "host.place", "op": "set", "value": "Trước khi đầy",
                     "base_version": 1}
            status, answer = _post(server.url + changes, json.dumps(saved).encode(),
                                   {**auth, "Content-Type": "application/json"})
            assert status in (200, 409), answer
            fill(disk)
            big = {"id": "disk-full-00001", "target": "report.summary", "op": "set", "value": "x" * 20000,
                   "base_version": 1}
            statuses = []
            for attempt in range(5):  # until the WAL needs a new page
                big["id"] = f"disk-full-{attempt:05d}"
                status, answer = _post(server.url + changes, json.dumps(big).encode(),
                                       {**auth, "Content-Type": "application/json"})
                statuses.append(status)
                if status == 507:
                    break
                big["base_version"] = answer.get("version", big["base_version"])
            assert statuses[-1] == 507 and FULL_MESSAGE in answer["error"], (statuses, answer)
            status, answer = _post(server.url + changes, b"{", {**auth,
                                   "Content-Type": "application/json"})
            assert status == 400  # an ordinary refusal still answers normally on a full disk
        finally:
            server.stop()
        assert not list((disk / "instance").rglob(".tmp-*"))
        for filler in disk.glob("filler*"):
            filler.unlink()
        _integrity(disk / "instance" / "survey_app.db")
        db = sqlite3.connect(disk / "instance" / "survey_app.db")
        done = {row[0] for row in db.execute("SELECT client_id FROM applied_changes")}
        db.close()
        assert "disk-ok-000001" in done and "disk-full-%05d" % (len(statuses) - 1) not in done


def test_photo_upload_on_a_full_disk(app, login_as, tmp_path, seed_visit_id):
    """The photo is stored first (atomically): a full files folder refuses it cleanly."""
    client = login_as("thuky")
    from .conftest import csrf_token
    token = csrf_token(client, f"/visits/{seed_visit_id}/capture")
    files = app.extensions["survey_files"]
    with tmpfs(files, 64) as folder:
        fill(folder)
        from io import BytesIO
        big = world.png_bytes(size=(900, 900))
        response = client.post(f"/visits/{seed_visit_id}/photos", headers={"X-CSRFToken": token},
                               data={"item": "disk-photo-0001", "caption": "ảnh",
                                     "file": (BytesIO(big), "../../etc/passwd")})
        assert response.status_code == 507, response.get_data(as_text=True)
        assert FULL_MESSAGE in response.get_json()["error"]
        assert leftovers(folder) == []
    store = app.extensions["survey_store"]
    assert store.db.execute("SELECT count(*) FROM visit_items WHERE uid = 'disk-photo-0001'").fetchone()[0] == 0
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _leave_wal_files(database) -> None:
    """Open the database and die without closing it, as a crashed server would: its
    -wal and -shm files stay, and SQLite can then read it from a read-only disk."""
    code = ("import os, sqlite3; db = sqlite3.connect(os.environ['DB']); "
            "db.execute('SELECT count(*) FROM visits').fetchone(); os._exit(0)")
    subprocess.run([str(BIN / "python"), "-c", code], env={**os.environ, "DB": str(database)}, check=True)
    assert database.with_name(database.name + "-shm").exists()


def test_saving_on_a_read_only_instance_folder(server_folder, tmp_path):
    """The instance folder is read-only (a disk remounted read-only after an error, a
    wrong mount): pages still read, saving answers 503 with the read-only message and
    nothing is half-applied; once the folder is writable again the same change (same
    id, as the tablet retries it) is saved exactly once, the earlier text kept."""
    with tmpfs(tmp_path / "disk", 8192) as disk:
        shutil.copytree(server_folder / "instance", disk / "instance")
        database = disk / "instance" / "survey_app.db"
        token = _cli(server_folder, "token", "create", "admin", instance=disk / "instance").stdout.strip()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        first = {"id": "ro-before-00001", "target": "host.place", "op": "set",
                 "value": "Trung tâm Phục vụ hành chính công xã Hra", "base_version": 1}
        second = {"id": "ro-during-00001", "target": "host.place", "op": "set",
                  "value": "Ghi khi ổ đĩa chỉ đọc"}
        server = LiveServer(tmp_path)
        server.env.update(_env(tmp_path, disk / "instance"))
        visit_id = server.seed_visit_id()
        url = f"/api/v1/visits/{visit_id}/changes"
        server.start()
        try:
            status, answer = _post(server.url + url, json.dumps(first).encode(), headers)
            assert status == 200, answer
            second["base_version"] = answer["version"]
        finally:
            server.stop()
        _leave_wal_files(database)
        remount_read_only(disk)
        server.start()
        try:
            request = urllib.request.Request(server.url + f"/api/v1/visits/{visit_id}", headers=headers)
            with urllib.request.urlopen(request, timeout=30) as response:
                assert json.loads(response.read())["host"]["place"] == first["value"]
            status, refused = _post(server.url + url, json.dumps(second).encode(), headers)
            assert status == 503, refused
            assert READ_ONLY_MESSAGE in refused["error"], refused
        finally:
            server.stop()
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        server.start()
        try:
            status, saved = _post(server.url + url, json.dumps(second).encode(), headers)  # the retry
            assert status == 200, saved
            status, again = _post(server.url + url, json.dumps(second).encode(), headers)  # and once more
            assert status == 200 and again["version"] == saved["version"], again
        finally:
            server.stop()
        _integrity(database)
        db = sqlite3.connect(database)
        applied = [row[0] for row in db.execute("SELECT client_id FROM applied_changes WHERE client_id LIKE 'ro-%'")]
        value = db.execute("SELECT value FROM visit_fields WHERE visit_id = 1 AND path = 'host.place'").fetchone()[0]
        db.close()
        assert sorted(applied) == ["ro-before-00001", "ro-during-00001"]
        assert json.loads(value) == second["value"]
