"""Reading before signing (issue 16, item 9): the sign page shows the pages of the exact
PDF version being signed, as PNG images drawn by poppler, and for a correction what
changed from the version it corrects; only those who may see the visit get them."""
from __future__ import annotations

import hashlib
import io
import re
import subprocess
import uuid

import pytest
from PIL import Image

from survey_app.documents import page_images
from survey_app.storage import visits as visits_sql

from .conftest import login
from .support import sign_all

pytestmark = pytest.mark.usefixtures("installed_certs")
NEW_TEXT = "Khẩn trương bố trí đủ 02 công chức tiếp nhận hồ sơ đất đai tại Trung tâm."


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def images_on(page: str) -> list[str]:
    return [src.replace("&amp;", "&") for src in re.findall(r'<img class="doc-page" src="([^"]+)"', page)]


def finalized(client, headers, visit_id) -> bytes:
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/finalize", headers=headers, json={"confirm": True}).status_code == 200
    return client.get(f"/api/v1/visits/{visit_id}/minutes/1.pdf", headers=headers).data


def corrected(client, headers, store, visit_id) -> tuple[str, str]:
    """Version 1 signed, version 2 correcting the first recommendation's text, final:
    (the old text, the new one)."""
    sign_all(client, headers, visit_id)
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/correction", headers=headers).status_code == 201
    item = store.read(visits_sql.items_of, visit_id, "recommendation")[0]
    message = {"id": str(uuid.uuid4()), "target": "recommendation", "op": "set", "item": item["uid"],
               "value": {**item["data"], "text": NEW_TEXT}, "base_version": item["version"]}
    assert client.post(f"/api/v1/visits/{visit_id}/changes", json=message, headers=headers).status_code == 200
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/finalize", headers=headers, json={"confirm": True}).status_code == 200
    return item["data"]["text"], NEW_TEXT


def test_the_sign_page_shows_every_page_of_the_version_as_a_png(client, token, visit):
    headers = token()
    pdf = finalized(client, headers, visit)
    login(client, "thuky")
    page = client.get(f"/visits/{visit}/minutes/sign").get_data(as_text=True)
    sources = images_on(page)
    assert len(sources) == page_count(pdf) >= 2
    assert all(f"/visits/{visit}/minutes/v1/page-" in s for s in sources)
    first = client.get(sources[0])
    assert first.status_code == 200 and first.mimetype == "image/png"
    image = Image.open(io.BytesIO(first.data))
    assert image.format == "PNG" and max(image.size) == page_images.LONG_SIDE
    assert image.size[1] > image.size[0]  # an A4 page, upright
    # not a blank sheet: ink (text) on it
    assert image.convert("L").getextrema()[0] < 100
    # past the last page: nothing
    assert client.get(f"/visits/{visit}/minutes/v1/page-{len(sources) + 1}.png").status_code == 404
    assert client.get(f"/visits/{visit}/minutes/v1/page-0.png").status_code == 404


def test_a_draft_offers_no_pages_to_sign(client, token, visit):
    headers = token()
    client.post(f"/api/v1/visits/{visit}/minutes/draft", headers=headers)
    login(client, "thuky")
    page = client.get(f"/visits/{visit}/minutes/sign").get_data(as_text=True)
    assert images_on(page) == [] and 'id="document-pages"' not in page
    assert client.get(f"/visits/{visit}/minutes/v1/page-1.png").status_code == 404


def test_a_correction_shows_what_changed_and_its_own_pages(client, token, visit, store):
    headers = token()
    finalized(client, headers, visit)
    old, new = corrected(client, headers, store, visit)
    login(client, "thuky")
    page = client.get(f"/visits/{visit}/minutes/sign").get_data(as_text=True)
    changes = page[page.index('id="correction-changes"'):page.index('id="document-pages"')]
    assert "so với phiên bản 1" in changes
    added = re.findall(r'<li class="diff-added"><ins>(.*?)</ins></li>', changes, re.S)
    removed = re.findall(r'<li class="diff-removed"><del>(.*?)</del></li>', changes, re.S)
    # the minutes print a recommendation's text with its full stop after the parenthesis
    old, new = old.rstrip("."), new.rstrip(".")
    assert any(new in line for line in added) and not any(new in line for line in removed)
    assert any(old in line for line in removed) and not any(old in line for line in added)
    # only the changed sections: the attendees did not change
    headings = re.findall(r"<h3>(.*?)</h3>", changes, re.S)
    assert headings and not any("tham dự" in h.lower() for h in headings) and "Đại diện" not in changes

    v2 = [s for s in images_on(page)]
    assert all("/minutes/v2/page-" in s for s in v2)
    assert len(v2) == page_count(client.get(f"/api/v1/visits/{visit}/minutes/2.pdf", headers=headers).data)
    one = client.get(f"/visits/{visit}/minutes/v1/page-1.png").data
    two = client.get(v2[0]).data
    assert one[:8] == two[:8] == b"\x89PNG\r\n\x1a\n"
    assert hashlib.sha256(one).hexdigest() != hashlib.sha256(two).hexdigest()


def test_the_first_version_shows_no_changes(client, token, visit):
    finalized(client, token(), visit)
    login(client, "thuky")
    page = client.get(f"/visits/{visit}/minutes/sign").get_data(as_text=True)
    assert 'id="correction-changes"' not in page


def test_another_units_host_gets_404_for_the_pages(client, token, visit):
    finalized(client, token(), visit)
    login(client, "xaiahru")
    assert client.get(f"/visits/{visit}/minutes/sign").status_code == 404
    answer = client.get(f"/visits/{visit}/minutes/v1/page-1.png")
    assert answer.status_code == 404 and answer.mimetype != "image/png"
    login(client, "xahra")  # the visited unit's host signs: they read it
    assert client.get(f"/visits/{visit}/minutes/v1/page-1.png").mimetype == "image/png"


def test_page_images_are_bounded_in_pages_and_size():
    with pytest.raises(page_images.PageImageError):
        page_images.page_count(b"%PDF-1.7 not really", "0" * 64)
    # a long document of huge pages (3 m tall): counted whole, drawn only up to the cap,
    # each page no larger than LONG_SIDE pixels
    sheets = [Image.new("RGB", (600, 8500), (255, 255, 255)) for _ in range(page_images.MAX_PAGES + 3)]
    buffer = io.BytesIO()
    sheets[0].save(buffer, "PDF", save_all=True, append_images=sheets[1:], resolution=72)
    pdf = buffer.getvalue()
    sha = hashlib.sha256(pdf).hexdigest()
    assert page_images.page_count(pdf, sha) == page_images.MAX_PAGES + 3
    last = Image.open(io.BytesIO(page_images.page_png(pdf, sha, page_images.MAX_PAGES)))
    assert max(last.size) == page_images.LONG_SIDE
    with pytest.raises(ValueError):
        page_images.page_png(pdf, sha, page_images.MAX_PAGES + 1)
