"""The visible seal (issue 14.3): the signature page of sealed minutes shows who sealed,
when and the verification code, as text in the page (fonts embedded, PDF/A-3b still
declared); the PAdES signature field lies over it with no appearance of its own, and
the rendered page shows the seal's box. Unsealed versions show no seal."""
from __future__ import annotations

import pytest
import datetime as dt
import io
import re
import subprocess

from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from survey_app.clock import VN_TZ
from survey_app.documents import verify_pdf
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.storage import minutes as minutes_sql
from .support import pdftotext, sign_all

pytestmark = pytest.mark.usefixtures("installed_certs")


SEAL_RED = (0xB0, 0x00, 0x00)


def _page_text(pdf: bytes, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page + 1), "-l", str(page + 1), "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode("utf-8")
    return " ".join(out.split())


def _words(pdf: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    """Words of a page with their boxes (points, origin top-left), from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page + 1), "-l", str(page + 1), "-", "-"],
                          input=pdf, capture_output=True, check=True).stdout.decode("utf-8")
    return [(m[5], float(m[1]), float(m[2]), float(m[3]), float(m[4])) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def _seal_widget(pdf: bytes):
    """(page index, /Rect, appearance stream bytes, /F) of the seal's signature widget."""
    reader = PdfFileReader(io.BytesIO(pdf))
    for index in range(reader.root["/Pages"]["/Count"]):
        page = reader.find_page_for_modification(index)[0].get_object()
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig" or annot.get("/Parent", {}).get("/FT") == "/Sig":
                appearance = annot["/AP"]["/N"].get_object().data
                return index, [float(v) for v in annot["/Rect"]], appearance, int(annot["/F"])
    return None


def test_the_sealed_minutes_show_the_seal_on_the_signature_page(client, token, visit, app, store, tmp_path):  # noqa: F811  (pytest fixtures)
    headers = token()
    final = client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    assert final.status_code == 200
    unsealed = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    assert "ĐÃ KÝ SỐ" not in pdftotext(unsealed) and _seal_widget(unsealed) is None

    sign_all(client, headers, visit)
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    minutes = store.read(minutes_sql.latest_version, visit)
    assert verify_pdf(pdf, minutes_keys.trust_roots(f"{app.instance_path}/certs")).valid

    page, rect, appearance, flags = _seal_widget(pdf)
    text = _page_text(pdf, page)
    sealed_at = dt.datetime.fromisoformat(minutes["signed_at"]).astimezone(VN_TZ)
    assert "ĐÃ KÝ SỐ" in text and "Ký bởi: HĐND tỉnh Gia Lai" in text
    assert f"Thời gian ký: {sealed_at:%H:%M:%S} ngày {sealed_at:%d/%m/%Y} (GMT+7)" in text
    code = minutes["signed_content_sha256"][:12]
    assert f"Mã xác thực: {code}" in text
    assert "Trần Văn Hùng" in text  # the seal is on the page of the signatures

    # the widget lies over the seal's text and draws nothing itself (the page does)
    height = float(PdfFileReader(io.BytesIO(pdf)).find_page_for_modification(page)[0]
                   .get_object()["/MediaBox"][3])
    words = _words(pdf, page)
    title = next(i for i in range(len(words) - 2) if [w[0] for w in words[i:i + 3]] == ["ĐÃ", "KÝ", "SỐ"])
    top = words[title][2]  # the page's footer repeats the code: keep the one under the title
    seal_words = words[title:title + 3] + [w for w in words if w[0] in (code, "(GMT+7)") and top < w[2] < top + 100]
    assert len(seal_words) == 5
    for _, x1, y1, x2, y2 in seal_words:
        assert rect[0] <= x1 and x2 <= rect[2] and rect[1] <= height - y2 and height - y1 <= rect[3]
    assert appearance.strip() == b"" and flags & 4  # printed with the page, no text of its own

    # PDF/A: still declared, every font embedded
    xmp = PdfFileReader(io.BytesIO(pdf)).root["/Metadata"].get_object().data.decode("utf-8")
    assert re.search(r'pdfaid:part(>|=")3', xmp) and re.search(r'pdfaid:conformance(>|=")B', xmp)
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts

    # what a reader sees: the seal's red frame inside the widget's box at 60 dpi
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page + 1), "-l", str(page + 1),
                    "-singlefile", "-", str(tmp_path / "page")], input=pdf, check=True)
    image = Image.open(tmp_path / "page.png").convert("RGB")
    scale = 60 / 72
    box = (int(rect[0] * scale), int((height - rect[3]) * scale), int(rect[2] * scale), int((height - rect[1]) * scale))
    reds = sum(1 for p in image.crop(box).get_flattened_data() if p[0] > 140 and p[1] < 80 and p[2] < 80)
    outside = sum(1 for p in image.get_flattened_data() if p[0] > 140 and p[1] < 80 and p[2] < 80) - reds
    assert reds > 100 and outside < reds  # the box is drawn, and it is where the widget is
