"""Rendering at finalize and at the seal happens outside the write lock (issue 15,
finding 4): while a render is in progress, a write on an unrelated visit commits;
a change to the same visit meanwhile makes finalize render again, never freeze a
stale record. Real SQLite file, real WeasyPrint, real threads; the render is made
observable by a renderer that waits for the test's signal (no timing)."""
from __future__ import annotations

import dataclasses
import functools
import threading
import uuid

import pytest

from survey_app.documents.render import render_pdf_placed
from survey_app.domain.minutes import operations as ops
from survey_app.domain.visits import changes
from survey_app.domain.visits import document as visit_io
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import minutes as minutes_sql
from survey_app.storage import visits as visits_sql

from .support import signature_b64
from .security_world import document

pytestmark = pytest.mark.usefixtures("installed_certs")


class HeldRenderer:
    """The real renderer, held at its first call until `release()`; counts its calls."""

    def __init__(self):
        self.started, self.released, self.calls = threading.Event(), threading.Event(), 0

    def __call__(self, html: str, element_id: str):
        self.calls += 1
        if self.calls == 1:
            self.started.set()
            assert self.released.wait(120), "the test never released the render"
        return render_pdf_placed(html, element_id)

    def release(self):
        self.released.set()


@pytest.fixture
def env(app):
    with app.test_request_context():
        from survey_app.web.minutes.pages import minutes_env
        return minutes_env()


@pytest.fixture
def world(app, store):
    """The demo visit, a second visit of the same delegation, and the users."""
    forms = app.extensions["survey_forms"]
    user = lambda name: store.read(accounts_sql.get_user_by_username, name)  # noqa: E731
    other = visit_io.import_document(store, forms, user("thuky"), document(),
                                     app.extensions["survey_files"] / "photos")["id"]
    return forms, user, other


def in_thread(function, *args):
    box = {}

    def run():
        try:
            box["result"] = function(*args)
        except BaseException as error:  # reported by the test
            box["error"] = error
    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def autosave(store, forms, user, visit_id, text):
    message = {"id": str(uuid.uuid4()), "target": "report.summary", "value": text, "base_version": 1}
    return changes.apply_change(store, forms, user, visit_id, message)


def test_an_autosave_on_another_visit_commits_while_finalize_renders(app, store, env, world, visit):  # noqa: F811
    forms, user, other = world
    renderer = HeldRenderer()
    thread, box = in_thread(functools.partial(ops.finalize_minutes, confirmed=True), store, forms, dataclasses.replace(env, renderer=renderer),
                            user("thuky"), visit)
    try:
        assert renderer.started.wait(120)
        status, _ = autosave(store, forms, user("thanhvien"), other, "Lưu trong lúc chốt biên bản khác.")
        committed_during_render = thread.is_alive()
    finally:
        renderer.release()
        thread.join()
    assert status == 200 and committed_during_render
    assert "error" not in box, box.get("error")
    assert box["result"]["status"] == "final" and box["result"]["number"] == 1
    assert store.read(visits_sql.get_field, other, "report.summary")["value"] == "Lưu trong lúc chốt biên bản khác."


def test_a_change_to_the_same_visit_during_the_render_is_frozen_too(app, store, env, world, visit):  # noqa: F811
    forms, user, _ = world
    renderer = HeldRenderer()
    thread, box = in_thread(functools.partial(ops.finalize_minutes, confirmed=True), store, forms, dataclasses.replace(env, renderer=renderer),
                            user("thuky"), visit)
    try:
        assert renderer.started.wait(120)
        status, _ = autosave(store, forms, user("thanhvien"), visit, "Sửa ngay trước khi chốt.")
    finally:
        renderer.release()
        thread.join()
    assert status == 200 and "error" not in box, box.get("error")
    assert renderer.calls == 2  # the first render was of a stale record: rendered again
    final = store.read(minutes_sql.latest_version, visit)
    assert final["status"] == "final" and final["input_json"]["document"]["report"]["summary"] == \
        "Sửa ngay trước khi chốt."
    assert store.db.execute("SELECT last_number FROM minutes_counters").fetchone()[0] == 1  # no number lost


def test_an_autosave_on_another_visit_commits_while_the_seal_renders(app, store, env, world, visit):  # noqa: F811
    forms, user, other = world
    secretary = user("thuky")
    ops.finalize_minutes(store, forms, env, secretary, visit, confirmed=True)
    for role, name in (("head", "Đinh Ly An"), ("secretary", "Nguyễn Thị Thu")):
        ops.add_signature(store, env, secretary, visit, role, name, signature_b64())
    renderer = HeldRenderer()
    thread, box = in_thread(ops.add_signature, store, dataclasses.replace(env, renderer=renderer), secretary,
                            visit, "host", "Trần Văn Hùng", signature_b64())
    try:
        assert renderer.started.wait(120)
        status, _ = autosave(store, forms, user("thanhvien"), other, "Lưu trong lúc đóng dấu.")
        committed_during_render = thread.is_alive()
        not_sealed_yet = store.read(minutes_sql.latest_version, visit)["status"] == "final"
    finally:
        renderer.release()
        thread.join()
    assert status == 200 and committed_during_render and not_sealed_yet
    assert "error" not in box, box.get("error")
    latest = store.read(minutes_sql.latest_version, visit)
    assert box["result"]["sealed"] and latest["status"] == "signed" and latest["signed_pdf_sha256"]
    assert [s["role"] for s in store.read(minutes_sql.signatures_of, latest["id"])] == ["head", "secretary", "host"]
