"""Publication of the survey report and the public pages (issue 13, item 4): only the
head or secretary publishes a final report; anyone reads it without login, with its
recommendations' live status; nothing unpublished leaks; withdrawn or unknown → 404;
cacheable, small, rate-limited."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from survey_app.domain.followup import operations as followup
from survey_app.storage import survey_reports as reports_sql
from survey_app.storage import units as units_sql

from .conftest import make_app
from .report_world import DELEGATION
from .support import api_headers, user

NOTE = "Ghi chú nội bộ: đã giao Văn phòng xã, chưa có kinh phí"
WORDING = {"recommendations": "UBND tỉnh Gia Lai: Nâng cấp đường truyền cho các xã (thời hạn: 30/06/2026)\n"
                              "Sở Nội vụ: Bổ sung biên chế cho Trung tâm\n"
                              "UBND xã Hra: Bố trí lại khu vực chờ (thời hạn: 01/01/2020)"}


@pytest.fixture
def headers(rapp):
    runner = rapp.test_cli_runner()
    return {name: api_headers(runner, name) for name in ("thuky", "truongdoan", "thanhvien", "admin")}


def url(path: str) -> str:
    return f"/api/v1/delegations/{DELEGATION}/report{path}"


@pytest.fixture
def published(rclient, headers):
    rclient.post(url("/wording"), json=WORDING, headers=headers["thuky"])
    report = rclient.post(url("/finalize"), headers=headers["thuky"]).get_json()
    assert rclient.post(url("/publish"), headers=headers["truongdoan"]).status_code == 200
    return report["id"]


def test_only_a_final_report_is_published_by_the_head_or_secretary(rclient, headers, rstore):
    assert rclient.post(url("/publish"), headers=headers["thuky"]).status_code == 409  # no report
    rclient.post(url("/wording"), json=WORDING, headers=headers["thuky"])
    draft = rclient.post(url("/publish"), headers=headers["thuky"])
    assert draft.status_code == 409 and "dự thảo" in draft.get_json()["error"]
    rclient.post(url("/finalize"), headers=headers["thuky"])
    assert rclient.post(url("/publish"), headers=headers["thanhvien"]).status_code == 403
    assert rclient.post(url("/publish"), headers=headers["admin"]).status_code == 403
    assert not rstore.read(reports_sql.latest, DELEGATION)["published"]
    assert rclient.post(url("/publish"), headers=headers["thuky"]).status_code == 200
    assert rclient.post(url("/publish"), headers=headers["thuky"]).status_code == 409


def test_public_pages_without_login_show_live_status(rclient, rstore, published):
    listing = rclient.get("/public/")
    assert listing.status_code == 200 and f"/public/reports/{published}" in listing.get_data(as_text=True)
    page = rclient.get(f"/public/reports/{published}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and len(page.data) < 50_000
    assert 'name="viewport"' in html and "Nâng cấp đường truyền cho các xã" in html and "01/BC-BPC" in html
    data = rclient.get(f"/public/reports/{published}.json").get_json()
    assert set(data["report"]) == {"id", "number", "title", "delegation", "published_at", "pdf_url"}
    recs = {r["addressee"]: r for r in data["recommendations"]}
    assert set(recs) == {"UBND tỉnh Gia Lai", "Sở Nội vụ", "UBND xã Hra"}
    assert recs["UBND xã Hra"]["overdue"] is True and recs["Sở Nội vụ"]["overdue"] is False
    assert recs["UBND tỉnh Gia Lai"] == {**recs["UBND tỉnh Gia Lai"], "due": "2026-06-30", "status": "open"}
    etag = rclient.get(f"/public/reports/{published}.json").headers["ETag"]
    # the unit reports progress: the public page follows without anything republished
    followup.report_progress(rstore, user(rstore, "xahra"), recs["UBND xã Hra"]["id"], status="in_progress",
                             note=NOTE)
    after = rclient.get(f"/public/reports/{published}.json")
    assert after.headers["ETag"] != etag
    live = {r["addressee"]: r for r in after.get_json()["recommendations"]}
    assert live["UBND xã Hra"]["status"] == "in_progress" and live["UBND xã Hra"]["overdue"] is True
    html = rclient.get(f"/public/reports/{published}").get_data(as_text=True)
    assert "Đang thực hiện" in html and "Quá hạn" in html
    pdf = rclient.get(urlsplit(data["report"]["pdf_url"]).path)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_filters_by_unit_and_status(rclient, rstore, published):
    hra = rstore.read(units_sql.get_unit_by_name, "UBND xã Hra")["id"]
    only = rclient.get(f"/public/reports/{published}.json?unit={hra}").get_json()["recommendations"]
    assert [r["addressee"] for r in only] == ["UBND xã Hra"]
    assert rclient.get(f"/public/reports/{published}.json?status=done").get_json()["recommendations"] == []
    assert rclient.get(f"/public/?unit={hra}").get_data(as_text=True).count("/public/reports/") == 1
    other = rstore.read(units_sql.get_unit_by_name, "UBND xã Ia Hrú")["id"]
    assert f"/public/reports/{published}" not in rclient.get(f"/public/?unit={other}").get_data(as_text=True)


def test_nothing_unpublished_leaks(rclient, rstore, headers, published):
    rec = rclient.get(f"/public/reports/{published}.json").get_json()["recommendations"][0]
    followup.report_progress(rstore, user(rstore, "thuky"), rec["id"], status="in_progress", note=NOTE)
    bodies = [rclient.get(path).get_data(as_text=True) for path in
              ("/public/", f"/public/reports/{published}", f"/public/reports/{published}.json", "/public/feed.atom")]
    for body in bodies:
        for secret in (NOTE, "thuky", "truongdoan", "xahra", "Nguyễn Thị Thu", "Trần Văn Hùng", "evidence",
                       "/api/v1", "Quản trị"):
            assert secret not in body, secret
    # a second delegation's draft is nowhere
    assert rclient.get(f"/public/reports/{published + 1}").status_code == 404


def test_unknown_and_withdrawn_reports_answer_a_plain_404(rclient, rstore, headers, published):
    missing = rclient.get("/public/reports/999")
    assert missing.status_code == 404 and missing.mimetype == "text/plain" and len(missing.data) < 40
    assert rclient.post(url("/unpublish"), json={}, headers=headers["thuky"]).status_code == 400
    assert rclient.post(url("/unpublish"), json={"reason": "Có sai sót"},
                        headers=headers["thanhvien"]).status_code == 403
    withdrawn = rclient.post(url("/unpublish"), json={"reason": "Phát hiện sai sót số liệu của xã Ia Grai"},
                             headers=headers["truongdoan"])
    assert withdrawn.status_code == 200 and withdrawn.get_json()["published"] is False
    for path in (f"/public/reports/{published}", f"/public/reports/{published}.json",
                 f"/public/reports/{published}.pdf"):
        answer = rclient.get(path)
        assert answer.status_code == 404 and answer.mimetype == "text/plain", path
    assert f"/public/reports/{published}" not in rclient.get("/public/").get_data(as_text=True)
    records = rstore.read(reports_sql.publications_of, published)
    assert [(r["action"], r["reason"]) for r in records] == [
        ("publish", ""), ("withdraw", "Phát hiện sai sót số liệu của xã Ia Grai")]


def test_pages_are_cacheable_and_the_feed_is_atom(rclient, published):
    page = rclient.get(f"/public/reports/{published}")
    assert "public" in page.headers["Cache-Control"] and "no-store" not in page.headers["Cache-Control"]
    again = rclient.get(f"/public/reports/{published}", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    feed = rclient.get("/public/feed.atom")
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    entries = root.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1 and entries[0].find("{http://www.w3.org/2005/Atom}id").text.endswith(
        f"/public/reports/{published}")


def test_a_visitor_who_switched_to_english_is_not_answered_with_the_vietnamese_page(rclient, published):
    """The ETag names the language the page was rendered in: a browser holding the
    Vietnamese page and its ETag, after `?lang=en`, gets the English page, not a 304."""
    vietnamese = rclient.get(f"/public/reports/{published}")
    assert '<html lang="vi">' in vietnamese.get_data(as_text=True)
    assert rclient.get("/public/?lang=en").status_code == 200  # the choice is kept in the session
    english = rclient.get(f"/public/reports/{published}", headers={"If-None-Match": vietnamese.headers["ETag"]})
    assert english.status_code == 200 and '<html lang="en">' in english.get_data(as_text=True)
    assert "Cookie" in english.headers["Vary"]


def test_public_pages_are_rate_limited(tmp_path, report_instance):
    import shutil
    shutil.copytree(report_instance, tmp_path / "instance")
    app = make_app(tmp_path, PUBLIC_RATE_LIMIT="2 per minute")
    try:
        client = app.test_client()
        assert [client.get("/public/").status_code for _ in range(3)] == [200, 200, 429]
    finally:
        app.extensions["survey_store"].close()
