"""Who may sign what (issue 14, item 6): the head's and the secretary's slots only by
that member of the delegation, or collected by the delegation's secretary on their
device ("on behalf", recorded in the audit entry and in the document's signature
block); the host's slot by the host of the visited unit or collected by the
secretary on site; members, heads (for others) and admins never sign for others.
Every refusal leaves no signature row, no stored file and no audit entry."""
from __future__ import annotations

import json

import pytest

from .support import pdftotext, signature_b64

pytestmark = pytest.mark.usefixtures("installed_certs")

TABLET = "Mozilla/5.0 (Linux; Android 14; SM-X200) thiết bị của thư ký"


@pytest.fixture
def final(client, token, visit):  # noqa: F811
    assert client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=token(), json={"confirm": True}).status_code == 200
    return visit


def sign(client, headers, visit_id, role, name="Người ký"):
    return client.post(f"/api/v1/visits/{visit_id}/minutes/signatures", headers={**headers, "User-Agent": TABLET},
                       json={"role": role, "name": name, "image": signature_b64()})


def counts(store, app):
    files = sum(1 for p in (app.extensions["survey_files"] / "minutes").rglob("*") if p.is_file()) \
        if (app.extensions["survey_files"] / "minutes").exists() else 0
    return (store.db.execute("SELECT count(*) FROM minutes_signatures").fetchone()[0],
            store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0], files)


@pytest.mark.parametrize("role, users", [
    ("head", ["thanhvien", "admin", "xahra", "xem"]),            # only the head, or the secretary collecting
    ("secretary", ["truongdoan", "thanhvien", "admin", "xahra"]),  # only the secretary
    ("host", ["thanhvien", "truongdoan", "admin", "xem"]),         # only the host, or the secretary collecting
])
def test_refusals_name_the_slot_and_leave_nothing_behind(client, token, final, store, app, role, users):  # noqa: F811
    headers = {user: token(user) for user in users}  # made first: a new token is audited
    before = counts(store, app)
    for user in users:
        refused = sign(client, headers[user], final, role)
        assert refused.status_code == 403, (user, refused.get_json())
        body = refused.get_json()
        assert body["field"] == "role" and body["error"].startswith("Tài khoản không có quyền ký ô này"), user
    assert counts(store, app) == before


def test_a_host_of_another_unit_does_not_even_see_the_minutes(client, token, final):  # noqa: F811
    assert sign(client, token("xaiahru"), final, "host").status_code == 404


def test_each_signs_their_own_slot(client, token, final, store):  # noqa: F811
    for user, role in (("truongdoan", "head"), ("thuky", "secretary"), ("xahra", "host")):
        answer = sign(client, token(user), final, role)
        assert answer.status_code == 201 and answer.get_json()["on_behalf"] is False, (user, answer.get_json())
    rows = store.db.execute("SELECT role, on_behalf FROM minutes_signatures ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("head", 0), ("secretary", 0), ("host", 0)]
    assert answer.get_json()["sealed"]


def test_the_secretary_collects_on_behalf_and_the_audit_and_document_say_so(client, token, final, store,  # noqa: F811
                                                                              login_as):
    headers = token("thuky")
    assert sign(client, headers, final, "head", "Đinh Ly An").get_json()["on_behalf"] is True
    assert sign(client, headers, final, "secretary", "Nguyễn Thị Thu").get_json()["on_behalf"] is False
    last = sign(client, headers, final, "host", "Trần Văn Hùng")
    assert last.status_code == 201 and last.get_json()["on_behalf"] is True and last.get_json()["sealed"]
    rows = store.db.execute("SELECT role, on_behalf, device, user_id FROM minutes_signatures ORDER BY id").fetchall()
    thuky = store.db.execute("SELECT id FROM users WHERE username = 'thuky'").fetchone()[0]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("head", 1, TABLET, thuky), ("secretary", 0, TABLET, thuky),
                                                        ("host", 1, TABLET, thuky)]
    entries = store.db.execute("SELECT actor, action, detail FROM audit_log WHERE action LIKE 'minutes.%' "
                               "ORDER BY id").fetchall()
    signs = [json.loads(e[2]) for e in entries if e[1] == "minutes.sign"]
    assert [(d["role"], d["on_behalf"], d["collected_by"], d["device"]) for d in signs] == [
        ("head", True, "Nguyễn Thị Thu", TABLET), ("secretary", False, "Nguyễn Thị Thu", TABLET),
        ("host", True, "Nguyễn Thị Thu", TABLET)]
    assert all(e[0] == "thuky" for e in entries) and entries[-1][1] == "minutes.seal"
    text = pdftotext(client.get(f"/api/v1/visits/{final}/minutes.pdf", headers=headers).data)
    assert text.count("(Ký trên thiết bị của Thư ký Đoàn Nguyễn Thị Thu)") == 2
    verified = client.get(f"/api/v1/visits/{final}/minutes", headers=headers).get_json()["versions"][0]
    page = client.get(f"/verify?code={verified['content_sha256'][:12]}").get_data(as_text=True)
    assert page.count("ký trên thiết bị của Thư ký Đoàn Nguyễn Thị Thu") == 2
    sign_page = login_as("thuky").get(f"/visits/{final}/minutes/sign").get_data(as_text=True)
    assert sign_page.count("thu nhận trên máy của Nguyễn Thị Thu") == 2  # the head's and the host's


def test_the_sign_page_offers_only_the_slots_the_user_may_fill(login_as, final):
    page = login_as("thanhvien").get(f"/visits/{final}/minutes/sign").get_data(as_text=True)
    assert 'action="/visits/%d/minutes/sign/head"' % final not in page
    assert 'action="/visits/%d/minutes/sign/host"' % final not in page
