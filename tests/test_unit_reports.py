"""The unit's own report before the visit (issue 12 item 5): `GET/PUT
/api/v1/visits/ID/unit-report` as DESIGN.md's "Additions of 2026-11-29" says, its
refusals (another unit's host 404, final minutes 409, stale revision 409, bad types
400 naming the field, a fake attachment 400 with nothing stored), and its use on
site: the visit document and the capture page prefilled, both values kept visible,
and the minutes printing the verified value."""
from __future__ import annotations

import io
import re
import subprocess

import pytest

from survey_app.domain.visits.operations import plan_visit
from survey_app.storage import unit_reports as reports_sql
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token, login
from .crafted_files import zip_bomb
from .support import pdf_bytes, png_bytes, seed_visit, stored_files, user

REPORT = {
    "summary": "Trung tâm tiếp nhận 4.321 hồ sơ trong kỳ.",
    "period": {"from": "2026-01-01", "to": "2026-06-30"},
    "indicators": {"dossiers_received": 4321, "dossiers_online": 1200, "dossiers_resolved": 4000,
                   "dossiers_in_progress": 321, "dossiers_overdue": 12, "on_time_rate_pct": 97.5},
    "difficulties": [{"text": "Đường truyền chập chờn vào giờ cao điểm."}],
    "proposals": [{"text": "Bổ sung máy quét tài liệu.", "addressee": "UBND tỉnh Gia Lai"}],
}
CONTRACT_KEYS = {"summary", "period", "indicators", "difficulties", "proposals", "submitted_at", "by"}


@pytest.fixture
def planned(store, app):
    """A visit of the demo delegation to UBND xã Hra, planned after the seed visit."""
    forms = app.extensions["survey_forms"]
    delegation_id = seed_visit(store)["delegation_id"]
    return plan_visit(store, forms, user(store, "thuky"), delegation_id=delegation_id, unit="UBND xã Hra",
                      form_id="ttpvhcc-xa", started_at="2026-12-10T08:00:00+07:00", place="Hội trường")


def url(visit_id: int) -> str:
    return f"/api/v1/visits/{visit_id}/unit-report"


def put(client, headers, visit_id, body, revision=None):
    extra = {"If-Match": f'"{revision}"'} if revision is not None else {}
    return client.put(url(visit_id), headers={**headers, **extra}, json=body)


def rows(store) -> int:
    return store.db.execute("SELECT count(*) FROM unit_reports").fetchone()[0]


def test_the_host_reports_and_the_delegation_reads_it(client, token, store, planned):
    host = token("xahra")
    empty = client.get(url(planned), headers=host)
    assert empty.status_code == 200 and empty.get_json()["submitted_at"] is None and empty.headers["ETag"] == '"0"'
    saved = put(client, host, planned, REPORT, revision=0)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    body = saved.get_json()
    assert CONTRACT_KEYS <= set(body)
    assert {k: body[k] for k in REPORT} == REPORT
    assert body["submitted_at"] and body["by"] == user(store, "xahra")["full_name"]
    assert body["warnings"] == [] and body["computed"]["online_rate_pct"] == pytest.approx(27.8)
    assert saved.headers["ETag"] == '"1"'
    for reader in ("thanhvien", "truongdoan", "admin", "xem"):
        read = client.get(url(planned), headers=token(reader))
        assert read.status_code == 200, reader
        assert {k: read.get_json()[k] for k in CONTRACT_KEYS} == {k: body[k] for k in CONTRACT_KEYS}


def test_figures_that_break_a_rule_are_warned_not_blocked(client, token, planned):
    broken = {**REPORT, "indicators": {**REPORT["indicators"], "dossiers_online": 9999}}
    saved = put(client, token("xahra"), planned, broken)
    assert saved.status_code == 200
    assert saved.get_json()["indicators"]["dossiers_online"] == 9999
    assert any("trực tuyến lớn hơn" in w for w in saved.get_json()["warnings"])


def test_only_the_host_of_the_visited_unit_writes_and_others_get_404(client, token, store, planned):
    for username in ("xaiahru", "thanhvien", "thuky", "truongdoan", "admin", "xem"):
        refused = put(client, token(username), planned, REPORT)
        assert refused.status_code == 404, (username, refused.status_code)
    assert client.get(url(planned), headers=token("xaiahru")).status_code == 404  # not even readable
    assert client.put(url(999999), headers=token("xahra"), json=REPORT).status_code == 404
    assert rows(store) == 0
    assert store.read(visits_sql.items_of, planned) == []


@pytest.mark.parametrize("body, field", [
    ({"summary": 5}, "summary"),
    ({"summary": "x", "colour": "red"}, "colour"),
    ({"period": "2026"}, "period"),
    ({"period": {"from": "30/06/2026"}}, "period.from"),
    ({"period": {"from": "2026-06-30", "to": "2026-01-01"}}, "period.to"),
    ({"indicators": [1, 2]}, "indicators"),
    ({"indicators": {"dossiers_received": "nhiều"}}, "indicators.dossiers_received"),
    ({"indicators": {"dossiers_received": True}}, "indicators.dossiers_received"),
    ({"indicators": {"dossiers_received": -1}}, "indicators.dossiers_received"),
    ({"indicators": {"staff_count": 3}}, "indicators.staff_count"),
    ({"difficulties": "chậm"}, "difficulties"),
    ({"difficulties": [{"text": 3}]}, "difficulties[0].text"),
    ({"proposals": [{"text": "a", "to": "b"}]}, "proposals[0].to"),
    ({"proposals": [{"text": " ", "addressee": "UBND tỉnh"}]}, "proposals[0].text"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(client, token, store, planned, body, field):
    refused = put(client, token("xahra"), planned, body)
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert refused.get_json()["field"] == field
    assert rows(store) == 0 and store.read(visits_sql.items_of, planned) == []


def test_a_stale_revision_is_refused_and_changes_nothing(client, token, store, planned):
    host = token("xahra")
    assert put(client, host, planned, REPORT, revision=0).status_code == 200
    stale = put(client, host, planned, {**REPORT, "summary": "bản cũ"}, revision=0)
    assert stale.status_code == 409 and stale.get_json()["field"] == "revision"
    assert client.get(url(planned), headers=host).get_json()["summary"] == REPORT["summary"]
    bad = client.put(url(planned), headers={**host, "If-Match": "phiên bản"}, json=REPORT)
    assert bad.status_code == 400 and bad.get_json()["field"] == "If-Match"
    assert put(client, host, planned, {**REPORT, "summary": "bản mới"}, revision=1).status_code == 200


def test_after_the_minutes_are_final_the_report_is_closed(client, token, store, planned):
    host = token("xahra")
    assert put(client, host, planned, REPORT).status_code == 200
    finalized = client.post(f"/api/v1/visits/{planned}/minutes/finalize", headers=token("thuky"), json={"confirm": True})
    assert finalized.status_code == 200, finalized.get_data(as_text=True)
    late = put(client, host, planned, {**REPORT, "summary": "muộn"})
    assert late.status_code == 409
    assert client.get(url(planned), headers=host).get_json()["summary"] == REPORT["summary"]
    upload = client.post(f"/visits/{planned}/unit-report/attachment", data={"file": (io.BytesIO(pdf_bytes()), "bc.pdf")})
    assert upload.status_code in (302, 400, 409)  # not signed in here: never stored
    assert store.read(reports_sql.get_report, planned)["attachment_sha256"] is None


# ----------------------------------------------------------------- the attachment

def csrf(client) -> str:
    return csrf_token(client, "/unit-reports/")


def page_csrf(client, visit_id) -> str:
    html = client.get(f"/visits/{visit_id}/unit-report").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.mark.parametrize("data, name", [
    (b"%PDF-1.4 this is not a PDF, no end marker", "bao-cao.pdf"),
    (b"<html>bao cao</html>", "bao-cao.docx"),
    (png_bytes(), "bao-cao.pdf"),              # a real image, but not a written report
    (zip_bomb(200, ("[Content_Types].xml", "word/document.xml")), "bao-cao.docx"),
])
def test_a_fake_attachment_is_refused_and_leaves_nothing(app, client, store, planned, data, name):
    login(client, "xahra")
    before = stored_files(app)
    refused = client.post(f"/visits/{planned}/unit-report/attachment", data={"file": (io.BytesIO(data), name)},
                          headers={"X-CSRFToken": page_csrf(client, planned)})
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert refused.get_json()["field"] == "attachment"
    assert stored_files(app) == before
    assert rows(store) == 0


def test_a_signed_pdf_report_is_attached_and_the_delegation_downloads_it(app, client, store, planned):
    login(client, "xahra")
    other = app.test_client()
    other.environ_base["wsgi.url_scheme"] = "https"
    login(other, "xaiahru")
    refused = other.post(f"/visits/{planned}/unit-report/attachment",
                         data={"file": (io.BytesIO(pdf_bytes()), "bc.pdf")}, headers={"X-CSRFToken": csrf(other)})
    assert refused.status_code == 404 and rows(store) == 0
    saved = client.post(f"/visits/{planned}/unit-report/attachment",
                        data={"file": (io.BytesIO(pdf_bytes()), "Báo cáo số 12.pdf")},
                        headers={"X-CSRFToken": page_csrf(client, planned)})
    assert saved.status_code == 201, saved.get_data(as_text=True)
    assert saved.get_json()["name"] == "Báo cáo số 12.pdf"
    member = app.test_client()
    member.environ_base["wsgi.url_scheme"] = "https"
    login(member, "thanhvien")
    download = member.get(f"/visits/{planned}/unit-report/file")
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert download.mimetype == "application/pdf"


# ----------------------------------------------------------------- on site

def test_the_visit_document_carries_the_report_prefilled(client, token, planned):
    assert put(client, token("xahra"), planned, REPORT).status_code == 200
    document = client.get(f"/api/v1/visits/{planned}", headers=token("thanhvien")).get_json()
    assert document["report"] == {"summary": REPORT["summary"], "period": REPORT["period"],
                                  "indicators": REPORT["indicators"]}
    assert document["difficulties"] == REPORT["difficulties"]
    assert document["proposals"] == REPORT["proposals"]


def change(client, headers, visit_id, target, value, version):
    message = {"id": f"m-{target}-{value}", "target": target, "op": "set", "value": value, "base_version": version}
    answer = client.post(f"/api/v1/visits/{visit_id}/changes", headers=headers, json=message)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def test_a_value_verified_on_site_wins_and_both_stay_visible(app, client, token, store, planned):
    host, member = token("xahra"), token("thanhvien")
    assert put(client, host, planned, REPORT, revision=0).status_code == 200
    field = store.read(visits_sql.get_field, planned, "indicators.dossiers_received")
    change(client, member, planned, "indicators.dossiers_received", 4399, field["version"])
    items = store.read(visits_sql.items_of, planned, "difficulty")
    edited = {"id": "m-edit-difficulty", "target": "difficulty", "op": "set", "item": items[0]["uid"],
              "value": {"text": "Đường truyền chập chờn (Đoàn ghi nhận thêm)."}, "base_version": items[0]["version"]}
    assert client.post(f"/api/v1/visits/{planned}/changes", headers=member, json=edited).status_code == 200
    # The unit sends its report again, with other figures and other difficulties.
    again = {**REPORT, "indicators": {**REPORT["indicators"], "dossiers_received": 4400, "dossiers_online": 1300},
             "difficulties": [{"text": "Thiếu máy quét."}]}
    assert put(client, host, planned, again, revision=1).status_code == 200
    document = client.get(f"/api/v1/visits/{planned}", headers=member).get_json()
    assert document["report"]["indicators"]["dossiers_received"] == 4399  # verified on site: kept
    assert document["report"]["indicators"]["dossiers_online"] == 1300    # untouched: the new report
    assert [d["text"] for d in document["difficulties"]] == [
        "Đường truyền chập chờn (Đoàn ghi nhận thêm).", "Thiếu máy quét."]
    assert client.get(url(planned), headers=member).get_json()["indicators"]["dossiers_received"] == 4400
    # The capture page shows both values, and the same unit's previous visit.
    login(client, "thanhvien")
    page = client.get(f"/visits/{planned}/capture").get_data(as_text=True)
    sources = re.search(r'data-sources="dossiers_received".*?</p>', page, re.S).group(0)
    assert "Đơn vị báo cáo: 4.400" in sources
    assert re.search(r"Đoàn kiểm tra tại buổi làm việc: <span data-slot=\"verified\">4.399", sources)
    seed_figures = seed_visit(store)
    previous = store.read(visits_sql.get_field, seed_figures["id"], "indicators.dossiers_received")["value"]
    assert "Lần khảo sát trước" in sources and f"{previous:,}".replace(",", ".") in sources
    # marked as the unit's: the section's note, the new difficulty and the proposal (not the one a member changed)
    assert page.count('class="badge reported-by-unit">Đơn vị báo cáo</span>') == 3
    assert 'value="1300"' in page


def test_the_minutes_print_the_verified_value(client, token, store, planned):
    host, member = token("xahra"), token("thanhvien")
    assert put(client, host, planned, REPORT).status_code == 200
    field = store.read(visits_sql.get_field, planned, "indicators.dossiers_received")
    change(client, member, planned, "indicators.dossiers_received", 4399, field["version"])
    pdf = client.get(f"/api/v1/visits/{planned}/minutes.pdf", headers=token("thuky"))
    assert pdf.status_code == 200, pdf.get_data(as_text=True)[:300]
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True,
                          check=True).stdout.decode()
    assert "4.399" in text and "4.321" not in text.replace("4.321 hồ sơ trong kỳ", "")
    assert "1.200" in text  # a figure nobody changed: the reported one


def test_the_lists_show_which_units_have_reported(client, token, planned):
    assert put(client, token("xahra"), planned, REPORT).status_code == 200
    login(client, "thuky")
    listing = client.get("/unit-reports/").get_data(as_text=True)
    row = re.search(rf'<tr>(?:(?!</tr>).)*?/visits/{planned}/unit-report(?:(?!</tr>).)*</tr>', listing, re.S)
    assert row and "Đã gửi" in row.group(0) and "Xem báo cáo" in row.group(0)
    visits = client.get("/visits").get_data(as_text=True)
    assert f'href="/visits/{planned}/unit-report"' in visits and "Đã gửi báo cáo" in visits
    report_page = client.get(f"/visits/{planned}/unit-report").get_data(as_text=True)
    assert "Bổ sung máy quét tài liệu." in report_page and "data-readonly" in report_page


def test_the_host_page_lists_the_units_visits_with_a_deadline(client, planned):
    login(client, "xahra")
    listing = client.get("/unit-reports/").get_data(as_text=True)
    assert f"/visits/{planned}/unit-report" in listing and "05/12/2026" in listing  # 5 days before 10/12
    login(client, "xaiahru")
    assert f"/visits/{planned}/unit-report" not in client.get("/unit-reports/").get_data(as_text=True)
    assert client.get(f"/visits/{planned}/unit-report").status_code == 404
