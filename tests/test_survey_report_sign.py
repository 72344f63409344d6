"""The survey report's signing page (issue 13, task item 1): the same page as the
minutes' (one template): the signer reads the final report's pages as images, draws
the signature and confirms; the report is then sealed and verifies by the same API,
page and CLI. Only the head (or the secretary collecting it) may sign; a refusal
leaves nothing behind."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader

from survey_app.storage import survey_reports as reports_sql

from .conftest import csrf_token, login
from .report_world import DELEGATION, pdftotext
from .support import api_headers, signature_b64

SIGN = f"/delegations/{DELEGATION}/report/sign"


def _files(rapp) -> set:
    return {p for p in rapp.extensions["survey_files"].rglob("*") if p.is_file()}


def _finalize(rclient):
    secretary = api_headers(rclient.application.test_cli_runner(), "thuky")
    final = rclient.post(f"/api/v1/delegations/{DELEGATION}/report/finalize", headers=secretary)
    assert final.status_code == 200, final.get_json()
    return final.get_json()


def test_head_reads_the_pages_draws_and_the_report_is_sealed_and_verifies(rapp, rclient, rstore):
    login(rclient, "truongdoan")
    draft = rclient.get(SIGN).get_data(as_text=True)
    assert "Báo cáo chưa được thông qua" in draft and "signature-form" not in draft
    report = _finalize(rclient)
    page = rclient.get(SIGN).get_data(as_text=True)
    assert "Ký báo cáo kết quả khảo sát" in page and "Nội dung báo cáo cần ký" in page
    images = re.findall(r'<img class="doc-page" src="([^"]+)"', page)
    stored = rstore.read(reports_sql.get, report["id"])
    pdf_pages = len(PdfReader(io.BytesIO(rclient.get(f"/delegations/{DELEGATION}/report.pdf").data)).pages)
    assert len(images) == pdf_pages >= 2  # every page of the very PDF to be signed
    assert all(f"/delegations/{DELEGATION}/report/v1/page-" in src for src in images)
    assert stored["final_pdf_sha256"][:16] in images[0]
    picture = rclient.get(images[0].replace("&amp;", "&"))
    assert picture.status_code == 200 and picture.data.startswith(b"\x89PNG")
    assert rclient.get(f"/delegations/{DELEGATION}/report/v1/page-{pdf_pages + 1}.png").status_code == 404
    assert rclient.get(f"/delegations/{DELEGATION}/report/v2/page-1.png").status_code == 404
    assert 'class="signature-form"' in page and 'value="Đinh Ly An"' in page  # the head's name, prefilled
    assert f'action="{SIGN}"' in page and "Trưởng đoàn" in page
    empty = rclient.post(SIGN, data={"csrf_token": csrf_token(rclient, SIGN), "signer-name": "Đinh Ly An"})
    assert empty.status_code == 302 and rstore.read(reports_sql.get, report["id"])["status"] == "final"
    signed = rclient.post(SIGN, data={"csrf_token": csrf_token(rclient, SIGN), "signer-name": "Đinh Ly An",
                                      "signer-image": "data:image/png;base64," + signature_b64()})
    assert signed.status_code == 302 and signed.headers["Location"].endswith(SIGN)
    after = rclient.get(SIGN).get_data(as_text=True)
    assert 'id="sealed"' in after and "Đã ký. Báo cáo đã được đóng dấu số." in after
    assert "signature-form" not in after and "Đinh Ly An" in after
    stored = rstore.read(reports_sql.get, report["id"])
    assert stored["status"] == "signed" and stored["signer_name"] == "Đinh Ly An"
    pdf = rclient.get(f"/delegations/{DELEGATION}/report.pdf").data
    assert "ĐÃ KÝ SỐ" in " ".join(pdftotext(pdf).split())
    head = api_headers(rapp.test_cli_runner(), "truongdoan")
    verdict = rclient.post("/api/v1/verify", data=pdf, headers={**head, "Content-Type": "application/pdf"})
    body = verdict.get_json()
    assert body["valid"] is True and body["survey_report"]["status"] == "signed"
    assert body["survey_report"]["number"] == "01/BC-BPC"
    verify_page = rclient.get(f"/verify?code={body['survey_report']['content_sha256'][:12]}").get_data(as_text=True)
    assert "01/BC-BPC" in verify_page
    target = rapp.instance_path + "/signed-report.pdf"
    with open(target, "wb") as out:
        out.write(pdf)
    cli = rapp.test_cli_runner().invoke(args=["verify", target])
    assert cli.exit_code == 0 and "Hợp lệ" in cli.output, cli.output
    report_page = rclient.get(f"/delegations/{DELEGATION}/report").get_data(as_text=True)
    assert 'id="sign-link"' in report_page


def test_only_the_signer_may_sign_and_a_refusal_leaves_nothing(rapp, rclient, rstore):
    report = _finalize(rclient)
    login(rclient, "thanhvien")
    page = rclient.get(SIGN)
    assert page.status_code == 200 and "signature-form" not in page.get_data(as_text=True)  # reads, cannot sign
    files, audit = _files(rapp), rstore.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    refused = rclient.post(SIGN, data={"csrf_token": csrf_token(rclient, SIGN), "signer-name": "Rơ Mah Khuê",
                                       "signer-image": signature_b64()})
    assert refused.status_code == 403
    assert rstore.read(reports_sql.get, report["id"])["status"] == "final"
    assert _files(rapp) == files
    assert rstore.db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit


def test_the_minutes_signing_page_is_the_same_template(rclient, rstore):
    visit = rstore.db.execute("SELECT min(id) FROM visits WHERE delegation_id = ?", [DELEGATION]).fetchone()[0]
    login(rclient, "thuky")
    page = rclient.get(f"/visits/{visit}/minutes/sign").get_data(as_text=True)
    assert "Ký biên bản" in page and "Nội dung biên bản cần ký" in page and "Về trang biên bản" in page
    assert f"/visits/{visit}/minutes/v1/page-1.png" in page and f'action="/visits/{visit}/minutes/sign/' in page
