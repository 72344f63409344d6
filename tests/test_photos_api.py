"""`POST /api/v1/visits/ID/photos` (issue 11 item 4): one photo a request, streamed
to disk, who may edit the visit may post; and the minutes print photos at their
printed size, so 20 phone photos keep the PDF under 10 MB."""
from __future__ import annotations

import io
import subprocess
import tracemalloc
import uuid

from PIL import Image

from survey_app.demo import seed_document
from survey_app.domain import images

from .crafted_files import camera_jpeg
from .support import image_bytes, seed_visit, stored_files

KEYS = {"sha256", "content_type", "width", "height", "item"}


def new_visit(client, headers) -> int:
    doc = seed_document()
    doc["uuid"] = str(uuid.uuid4())
    doc["photos"] = []
    answer = client.post("/api/v1/visits", headers=headers, json=doc)
    assert answer.status_code == 201
    return answer.get_json()["id"]


def post_photo(client, headers, visit_id, data: bytes, name="anh.jpg", **fields):
    return client.post(f"/api/v1/visits/{visit_id}/photos", headers=headers,
                       data={"file": (io.BytesIO(data), name), **fields})


def test_upload_answers_the_contract_and_joins_the_visit(client, token):
    headers = token("thanhvien")
    visit_id = new_visit(client, headers)
    photo = camera_jpeg(1)  # 4000 × 3000, ~2.8 MB
    answer = post_photo(client, headers, visit_id, photo, caption="Quầy tiếp nhận hồ sơ", credit="R'Piên")
    assert answer.status_code == 201
    body = answer.get_json()
    assert set(body) == KEYS
    assert body["content_type"] == "image/jpeg" and (body["width"], body["height"]) == (2000, 1500)
    again = post_photo(client, headers, visit_id, photo, caption="Quầy tiếp nhận hồ sơ")
    assert again.status_code == 200 and again.get_json() == body  # a retried upload is one photo
    document = client.get(f"/api/v1/visits/{visit_id}", headers=headers).get_json()
    assert [(p["caption"], p["credit"]) for p in document["photos"]] == [("Quầy tiếp nhận hồ sơ", "R'Piên")]
    with Image.open(io.BytesIO(__import__("base64").b64decode(document["photos"][0]["data"]))) as stored:
        assert stored.size == (2000, 1500)


def test_upload_refusals_name_the_field(client, token):
    headers = token("thuky")
    visit_id = new_visit(client, headers)
    missing = client.post(f"/api/v1/visits/{visit_id}/photos", headers=headers, data={"caption": "x"})
    assert missing.status_code == 400 and missing.get_json()["field"] == "file"
    refused = post_photo(client, headers, visit_id, image_bytes("TIFF", (32, 32), 0), "anh.jpg")
    assert refused.status_code == 400 and refused.get_json()["field"] == "file"
    cut = post_photo(client, headers, visit_id, camera_jpeg(2, (640, 480))[:-5000])
    assert cut.status_code == 400 and cut.get_json()["field"] == "file"
    long_caption = post_photo(client, headers, visit_id, camera_jpeg(3, (640, 480)), caption="x" * 2001)
    assert long_caption.status_code == 400 and long_caption.get_json()["field"] == "photo.caption"
    too_big = post_photo(client, headers, visit_id, b"\xff\xd8\xff" + b"\0" * images.MAX_BYTES + b"\xff\xd9")
    assert too_big.status_code == 400 and too_big.get_json()["field"] == "file"
    other = token("xaiahru")  # a host of another unit does not even see the visit
    assert post_photo(client, other, visit_id, camera_jpeg(4, (640, 480))).status_code == 404


def test_the_upload_is_streamed_not_read_whole(client, token):
    headers = token("thuky")
    visit_id = new_visit(client, headers)
    photo = camera_jpeg(5, (6000, 4000), quality=95)  # ~8.5 MB
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        answer = post_photo(client, headers, visit_id, photo)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert answer.status_code == 201
    # The test client's own copy of the body is the one whole copy (+ ~1 MB chunks and
    # the resized JPEG); the old view held upload.read() and a BytesIO of it besides.
    assert peak < len(photo) + 5 * 1024 * 1024


def test_minutes_of_twenty_phone_photos_stay_under_10_mb(client, token, tmp_path):
    headers = token("thuky")
    visit_id = new_visit(client, headers)
    for seed in range(20):
        answer = post_photo(client, headers, visit_id, camera_jpeg(100 + seed, (2000, 1500), quality=95),
                            caption=f"Ảnh {seed + 1}")
        assert answer.status_code == 201
    pdf = client.get(f"/api/v1/visits/{visit_id}/minutes.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    assert len(pdf.data) <= 10 * 1024 * 1024
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(pdf.data)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    photos = [line.split() for line in listing if line.split()[2] == "image" and int(line.split()[3]) > 400]
    assert len(photos) == 20
    assert all(int(p[3]) <= images.PRINT_BOX[0] and int(p[4]) <= images.PRINT_BOX[1] for p in photos)


def test_the_capture_pages_upload_streams_too(app, store, login_as):
    visit_id = seed_visit(store)["id"]
    client = login_as("thanhvien")
    html = client.get(f"/visits/{visit_id}/capture").get_data(as_text=True)
    token = html.split('name="csrf-token" content="')[1].split('"')[0]
    before = stored_files(app)
    answer = client.post(f"/visits/{visit_id}/photos", headers={"X-CSRFToken": token},
                         data={"file": (io.BytesIO(camera_jpeg(7, (800, 600))), "anh.jpg"),
                               "item": "photo-item-0001", "caption": "Bảng niêm yết"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["sha256"] and len(stored_files(app)) == len(before) + 1
