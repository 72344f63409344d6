"""A busy database never surfaces "database is locked": writers wait within the busy
timeout, or get a retryable 503 with Retry-After, and nothing half-done is kept."""
from __future__ import annotations

import sqlite3
import threading
import uuid

import pytest

from survey_app.demo import seed_document
from survey_app.storage import visits as visits_sql

from .conftest import make_app


def message():
    return {"id": str(uuid.uuid4()), "target": "difficulty", "op": "add", "item": str(uuid.uuid4()),
            "value": {"text": "Mạng nghẽn"}}


@pytest.fixture
def busy_app(tmp_path, demo_instance):
    import shutil
    shutil.copytree(demo_instance, tmp_path / "instance")
    app = make_app(tmp_path, BUSY_TIMEOUT_MS=200)
    yield app
    app.extensions["survey_store"].close()


def test_a_writer_that_cannot_get_the_lock_gets_503_retry_after(busy_app):
    store = busy_app.extensions["survey_store"]
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])["id"]
    token = busy_app.test_cli_runner().invoke(args=["token", "create", "thuky"]).output.strip()
    blocker = sqlite3.connect(busy_app.config["DATABASE"], isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        response = busy_app.test_client().post(f"/api/v1/visits/{visit}/changes", json=message(),
                                               headers={"Authorization": f"Bearer {token}"})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "locked" not in response.get_data(as_text=True)
    before = store.db.execute("SELECT count(*) FROM visit_items WHERE kind = 'difficulty'").fetchone()[0]
    assert before == 3  # nothing of the refused write was kept


def test_concurrent_writers_wait_their_turn(app, runner, store):
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])["id"]
    token = runner.invoke(args=["token", "create", "thuky"]).output.strip()
    statuses: list[int] = []

    def write():
        client = app.test_client()
        for _ in range(5):
            response = client.post(f"/api/v1/visits/{visit}/changes", json=message(),
                                   headers={"Authorization": f"Bearer {token}"})
            statuses.append(response.status_code)
    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) == 40, statuses
    count = store.db.execute("SELECT count(*) FROM visit_items WHERE kind = 'difficulty'").fetchone()[0]
    assert count == 3 + 40
