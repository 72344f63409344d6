"""The minutes documents: context → HTML → PDF/A-3b → PAdES seal → verify, and DOCX."""
from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import socket
import subprocess
import threading
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from survey_app.documents import create_organisation_certificate, load_signer, render_html, render_pdf, seal_pdf, signer_certificate, verify_pdf
from survey_app.domain.minutes.context import MinutesInput, build_context, content_sha256
from survey_app.domain.minutes.docx import render_docx
from survey_app.documents.render import RefusedURL, SafeURLFetcher

from .support import signature_png

DATA = Path(__file__).parent / "data" / "hra-visit.json"
LABELS = {"dossiers_received": "Hồ sơ tiếp nhận", "dossiers_online": "Hồ sơ tiếp nhận trực tuyến",
          "dossiers_resolved": "Hồ sơ đã giải quyết", "dossiers_in_progress": "Hồ sơ đang giải quyết",
          "on_time_rate_pct": "Tỷ lệ giải quyết trước hạn, đúng hạn"}


def normalise(text: str) -> str:
    return " ".join(text.split())


def pdftotext(pdf: bytes, *args: str) -> str:
    result = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


@pytest.fixture
def visit_document() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def make_input(document: dict, **changes) -> MinutesInput:
    indicators = document["report"]["indicators"]
    values = dict(
        document=document,
        indicator_rows=[{"key": k, "label": LABELS[k], "value": v, "unit": "%" if k.endswith("_pct") else "hồ sơ"}
                        for k, v in indicators.items()],
        computed_rows=[{"key": "online_rate_pct", "label": "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
                        "value": 85.3, "unit": "%"}],
        warnings=[], checklist_rows=[], number=5, year=2025, symbol="BB-BPC", issued_place="Hra",
        issued_date=dt.date(2025, 10, 13), wording={},
        signatories=[
            {"role": "host", "title_lines": ["Đại diện UBND xã Hra"], "name": "Nguyễn Văn B", "image_png": None},
            {"role": "head", "title_lines": ["TM. Đoàn khảo sát", "Trưởng đoàn"], "name": "Đinh Ly An",
             "image_png": signature_png(ink=(0, 0, 150, 255), background=(255, 255, 255, 0))},
            {"role": "secretary", "title_lines": ["Thư ký"], "name": "Trần Thị C", "image_png": None}],
        recipients=["Thường trực HĐND tỉnh", "UBND xã Hra", "Lưu: VT, BPC"], copies=3,
        ended_at="2025-10-13T11:00:00+07:00", verify_url="https://khaosat.example.vn/verify/5b1f8a2e/1",
        version=1, corrects=None)
    values.update(changes)
    return MinutesInput(**values)


def render(inp: MinutesInput) -> bytes:
    return render_pdf(render_html(build_context(inp)))


@pytest.fixture(scope="module")
def seed_pdf() -> bytes:
    return render(make_input(json.loads(DATA.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    path = create_organisation_certificate("Ban Pháp chế HĐND tỉnh Gia Lai", tmp_path_factory.mktemp("pki"), "mật khẩu")
    return load_signer(path, "mật khẩu")


@pytest.fixture(scope="module")
def sealed_pdf(seed_pdf, signer) -> bytes:
    return seal_pdf(seed_pdf, signer, field_name="ToChuc", reason="Đóng dấu biên bản",
                    location="Hra", signer_name="Ban Pháp chế HĐND tỉnh Gia Lai")


def test_pdf_has_the_exact_header_strings(seed_pdf):
    text = normalise(pdftotext(seed_pdf))
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BIÊN BẢN",
                     "Số: 05/BB-BPC", "Hra, ngày 13 tháng 10 năm 2025", "HĐND TỈNH GIA LAI", "BAN PHÁP CHẾ",
                     "Hôm nay, vào lúc 08 giờ 00 phút, ngày 13/10/2025",
                     "Buổi làm việc kết thúc vào lúc 11 giờ 00 phút cùng ngày", "được lập thành 03 bản",
                     "TM. ĐOÀN KHẢO SÁT", "TRƯỞNG ĐOÀN", "THƯ KÝ", "ĐẠI DIỆN UBND XÃ HRA", "Nơi nhận:",
                     "PHỤ LỤC HÌNH ẢNH BUỔI LÀM VIỆC"):
        assert expected in text


def test_pdf_has_the_figures_and_every_recommendation(seed_pdf, visit_document):
    text = normalise(pdftotext(seed_pdf))
    tokens = set(text.split())
    assert {"509", "434", "88,2", "85,3"} <= tokens
    for recommendation in visit_document["recommendations"]:
        assert normalise(recommendation["text"]).rstrip(".") in text  # the stop after the detail
    assert "30/06/2026" in text


def test_pdf_is_pdf_a_3b_with_embedded_fonts(seed_pdf):
    reader = PdfReader(io.BytesIO(seed_pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
    fonts = subprocess.run(["pdffonts", "-"], input=seed_pdf, capture_output=True, check=True).stdout.decode()
    font_lines = fonts.splitlines()[2:]
    assert font_lines and all(" yes " in line for line in font_lines)


def test_page_number_only_from_page_two(seed_pdf):
    top_margin = ["-x", "0", "-y", "0", "-W", "595", "-H", "50"]
    assert pdftotext(seed_pdf, "-f", "1", "-l", "1", *top_margin).strip() == ""
    assert pdftotext(seed_pdf, "-f", "2", "-l", "2", *top_margin).strip() == "2"


def test_every_page_shows_the_short_content_hash(seed_pdf, visit_document):
    short = content_sha256(make_input(visit_document))[:12]
    pages = len(PdfReader(io.BytesIO(seed_pdf)).pages)
    for page in range(1, pages + 1):
        assert short in pdftotext(seed_pdf, "-f", str(page), "-l", str(page))


def test_content_hash_ignores_signature_images_but_not_text(visit_document):
    base = make_input(visit_document)
    unsigned = make_input(visit_document, signatories=[dict(s, image_png=None) for s in base.signatories])
    assert content_sha256(base) == content_sha256(unsigned)
    changed = copy.deepcopy(visit_document)
    changed["recommendations"][0]["text"] += " Sửa."
    assert content_sha256(make_input(changed)) != content_sha256(base)


def test_warnings_and_amendment_are_visible(visit_document):
    inp = make_input(visit_document, warnings=["Số hồ sơ trực tuyến lớn hơn số hồ sơ tiếp nhận."],
                     version=2, corrects=1)
    text = normalise(pdftotext(render(inp)))
    assert ("Số liệu báo cáo chưa khớp (số hồ sơ trực tuyến lớn hơn số hồ sơ tiếp nhận), đề nghị đơn vị "
            "rà soát, báo cáo bổ sung.") in text
    assert "đính chính và thay thế phiên bản 1" in text


def test_markup_typed_in_a_field_is_shown_as_text(visit_document):
    visit_document["conclusion"]["text"] = "<script>alert(1)</script>"
    html = render_html(build_context(make_input(visit_document)))
    assert "<script>alert(1)</script>" not in html
    assert "<script>alert(1)</script>" in normalise(pdftotext(render_pdf(html)))


class CountingListener:
    """A real TCP server on 127.0.0.1 that counts the connections it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    server = CountingListener()
    yield server
    server.close()


def test_network_urls_are_never_fetched(visit_document, listener):
    url = f"http://127.0.0.1:{listener.port}/x.png"
    visit_document["report"]["summary"] = f'<img src="{url}"> {url}'
    visit_document["photos"][0]["caption"] = f"<link rel=stylesheet href={url}>"
    render(make_input(visit_document))
    raw = (f'<html><head><link rel="stylesheet" href="{url}"><style>body{{background:url({url}bg)}}</style>'
           f'</head><body><img src="{url}"><img src="https://127.0.0.1:{listener.port}/y.png">'
           f'<img src="file:///etc/passwd"><p>x</p></body></html>')
    render_pdf(raw)
    assert listener.connections == 0


def test_url_fetcher_serves_only_app_files_and_data_uris():
    fetcher = SafeURLFetcher()
    css = (Path(__file__).parents[1] / "templates" / "minutes" / "bien_ban.css").resolve()
    assert b"@page" in fetcher.fetch(css.as_uri()).read()
    assert fetcher.fetch("data:text/plain;base64,eGluIGNow6Bv").read() == "xin chào".encode()
    for url in ("http://127.0.0.1:9/", "https://example.org/a.png", "ftp://example.org/a",
                "file:///etc/passwd", css.as_uri().replace("bien_ban.css", "../../pyproject.toml")):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_sealed_pdf_verifies_valid(sealed_pdf, signer):
    result = verify_pdf(sealed_pdf, [signer_certificate(signer)])
    assert result.error is None
    assert result.valid and result.intact and not result.modified_after_signing
    [signature] = result.signatures
    assert signature["field"] == "ToChuc" and signature["trusted"] and signature["bottom_line"]
    assert signature["coverage"] == "ENTIRE_FILE"
    assert "Ban Pháp chế" in signature["signer"]


def test_sealed_pdf_keeps_pdf_a_identity_and_producer(sealed_pdf):
    reader = PdfReader(io.BytesIO(sealed_pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    producer = re.search(r'pdf:Producer(?:="|>)([^"<]*)', xmp).group(1)
    assert reader.metadata.producer == producer


def test_untrusted_root_is_not_valid(sealed_pdf, tmp_path):
    other = load_signer(create_organisation_certificate("Khác", tmp_path, "x"), "x")
    result = verify_pdf(sealed_pdf, [signer_certificate(other)])
    assert result.intact and not result.valid
    assert not result.signatures[0]["trusted"]


def test_one_changed_byte_in_the_signed_range_is_detected(sealed_pdf, signer):
    tampered = bytearray(sealed_pdf)
    tampered[12] ^= 0x01  # inside the binary comment on line 2: parses, but the digest differs
    result = verify_pdf(bytes(tampered), [signer_certificate(signer)])
    assert not result.valid and not result.intact and result.modified_after_signing


def test_bytes_appended_after_the_seal_are_detected(sealed_pdf, signer):
    result = verify_pdf(sealed_pdf + b"\n% appended\n", [signer_certificate(signer)])
    assert not result.valid and result.modified_after_signing


def test_second_incremental_signature_keeps_both_valid(sealed_pdf, signer):
    twice = seal_pdf(sealed_pdf, signer, field_name="TruongDoan", reason="Ký biên bản",
                     location="Hra", signer_name="Đinh Ly An")
    assert twice.startswith(sealed_pdf)
    result = verify_pdf(twice, [signer_certificate(signer)])
    assert result.valid and result.intact and not result.modified_after_signing
    assert [s["field"] for s in result.signatures] == ["ToChuc", "TruongDoan"]
    assert all(s["bottom_line"] for s in result.signatures)


@pytest.mark.parametrize("data", [b"", b"garbage", b"%PDF-1.7\n%%EOF", b"\x00" * 1000])
def test_garbage_gives_an_error_not_an_exception(data, signer):
    result = verify_pdf(data, [signer_certificate(signer)])
    assert result.error and not result.valid and not result.intact


def test_unsigned_pdf_reports_no_signature(seed_pdf, signer):
    result = verify_pdf(seed_pdf, [signer_certificate(signer)])
    assert result.error and not result.valid


def test_docx_has_the_same_texts(visit_document):
    data = render_docx(build_context(make_input(visit_document)))
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    texts += [p.text for table in document.tables for row in table.rows
              for cell in row.cells for p in cell.paragraphs]
    full = normalise("\n".join(texts))
    for recommendation in visit_document["recommendations"]:
        assert normalise(recommendation["text"]).rstrip(".") in full
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 05/BB-BPC", "BIÊN BẢN",
                     "Hra, ngày 13 tháng 10 năm 2025", "88,2", "85,3", "Đinh Ly An", "Nơi nhận:"):
        assert expected in full
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 30
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_wording_override_replaces_generated_paragraphs(visit_document):
    inp = make_input(visit_document, wording={"opening": "Đoạn mở đầu do thư ký soạn lại."})
    blocks = build_context(inp)["body"]
    assert blocks[0] == {"type": "paragraph", "text": "Đoạn mở đầu do thư ký soạn lại."}
