"""Arrows and circles drawn on a photo (issue 16, item 10): the annotated copy goes
through the photo API (`annotates`: the photo item's uid) and the same checks; the
original stays byte-identical; the minutes print the annotated copy; a refusal keeps
no file and no row; and a photo taken for a checklist item is linked to it."""
from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageDraw, ImageStat
from pypdf import PdfReader

from survey_app.domain import images

from .crafted_files import camera_jpeg
from .support import image_bytes, seed_visit, stored_files
from .test_photos_api import new_visit, post_photo

ANNOTATION_KEYS = {"item", "annotation", "original_sha256", "sha256", "content_type", "width", "height"}


def circled(photo: bytes) -> bytes:
    """The photo with a thick red circle drawn on it, as the tablet's canvas saves it."""
    with Image.open(io.BytesIO(photo)) as image:
        image = image.convert("RGB")
        w, h = image.size
        ImageDraw.Draw(image).ellipse((w * .2, h * .2, w * .8, h * .8), outline=(230, 0, 0), width=max(8, w // 40))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue()


def photo_file(app, sha256: str) -> bytes:
    return next((app.extensions["survey_files"] / "photos").rglob(f"{sha256}.*")).read_bytes()


def rows(store, table: str) -> int:
    return store.read(lambda db: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB").resize(a.size))).mean)


def test_annotated_copy_is_stored_linked_and_printed_while_the_original_stays(app, store, client, token):
    headers = token("thanhvien")
    visit_id = new_visit(client, headers)
    original = camera_jpeg(31, (1200, 900))
    first = post_photo(client, headers, visit_id, original, caption="Bảng niêm yết", item="photo-item-annot-1")
    assert first.status_code == 201
    sha = first.get_json()["sha256"]
    kept = photo_file(app, sha)
    drawn = circled(kept)
    answer = post_photo(client, headers, visit_id, drawn, annotates="photo-item-annot-1", item="annotation-0001")
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert set(body) == ANNOTATION_KEYS
    assert body["item"] == "photo-item-annot-1" and body["original_sha256"] == sha and body["sha256"] != sha
    files_now = stored_files(app)
    again = post_photo(client, headers, visit_id, drawn, annotates="photo-item-annot-1", item="annotation-0001")
    assert again.status_code == 200 and again.get_json() == body  # a resend is the same copy
    assert stored_files(app) == files_now
    assert photo_file(app, sha) == kept  # the original, byte for byte
    document = client.get(f"/api/v1/visits/{visit_id}", headers=headers).get_json()
    assert len(document["photos"]) == 1  # the copy is no photo of its own
    assert __import__("base64").b64decode(document["photos"][0]["data"]) == kept  # the record keeps the original
    pdf = client.get(f"/api/v1/visits/{visit_id}/minutes.pdf", headers=headers)
    assert pdf.status_code == 200
    annex = {image.data: image.image for page in PdfReader(io.BytesIO(pdf.data)).pages for image in page.images
             if image.image.width > 400}  # WeasyPrint lists a page's shared images on every page
    assert len(annex) == 1
    printed = list(annex.values())
    as_drawn = Image.open(io.BytesIO(images.printed_photo(next(
        (app.extensions["survey_files"] / "photos").rglob(f"{body['sha256']}.*")))))
    as_taken = Image.open(io.BytesIO(images.printed_photo(next(
        (app.extensions["survey_files"] / "photos").rglob(f"{sha}.*")))))
    assert difference(printed[0], as_drawn) < 3 < difference(printed[0], as_taken)


def test_refused_annotations_keep_nothing(app, store, client, token):
    headers = token("thanhvien")
    visit_id = new_visit(client, headers)
    assert post_photo(client, headers, visit_id, camera_jpeg(32, (640, 480)), item="photo-item-annot-2").status_code == 201
    before = (stored_files(app), rows(store, "photo_annotations"), rows(store, "photos"), rows(store, "audit_log"))
    fake = post_photo(client, headers, visit_id, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "anh.jpg",
                      annotates="photo-item-annot-2")
    assert fake.status_code == 400 and fake.get_json()["field"] == "file"
    tiff = post_photo(client, headers, visit_id, image_bytes("TIFF", (32, 32)), annotates="photo-item-annot-2")
    assert tiff.status_code == 400 and tiff.get_json()["field"] == "file"
    huge = post_photo(client, headers, visit_id, image_bytes("PNG", (4000, 2500)), annotates="photo-item-annot-2")
    assert huge.status_code == 400 and huge.get_json()["field"] == "file"  # 10 MP PNG: over the pixel cap
    unknown = post_photo(client, headers, visit_id, camera_jpeg(33, (640, 480)), annotates="no-such-photo-item")
    assert unknown.status_code == 404 and unknown.get_json()["field"] == "annotates"
    host = token("xahra")  # sees the visit of their unit, may not change it
    assert post_photo(client, host, visit_id, camera_jpeg(34, (640, 480)),
                      annotates="photo-item-annot-2").status_code == 403
    foreign = token("xaiahru")
    assert post_photo(client, foreign, visit_id, camera_jpeg(35, (640, 480)),
                      annotates="photo-item-annot-2").status_code == 404
    anonymous = client.post(f"/api/v1/visits/{visit_id}/photos",
                            data={"file": (io.BytesIO(camera_jpeg(36, (640, 480))), "a.jpg"),
                                  "annotates": "photo-item-annot-2"})
    assert anonymous.status_code == 401
    assert client.post(f"/api/v1/visits/{visit_id}/minutes/finalize", headers=token("thuky")).status_code == 200
    frozen = post_photo(client, headers, visit_id, camera_jpeg(37, (640, 480)), annotates="photo-item-annot-2")
    assert frozen.status_code == 409
    photos_only = [f for f in stored_files(app) if not f.startswith("minutes/")]  # the finalized PDF is kept
    assert (photos_only, rows(store, "photo_annotations"), rows(store, "photos")) == before[:3]
    assert rows(store, "audit_log") > before[3]  # only the finalize was recorded


def test_capture_page_shows_the_annotated_copy_and_links_checklist_photos(app, store, login_as):
    visit = seed_visit(store)
    client = login_as("thanhvien")
    html = client.get(f"/visits/{visit['id']}/capture").get_data(as_text=True)
    csrf = {"X-CSRFToken": html.split('name="csrf-token" content="')[1].split('"')[0]}
    original = camera_jpeg(38, (800, 600))
    key = list(store.read(app.extensions["survey_forms"].for_visit, visit).item_keys)[0]
    taken = client.post(f"/visits/{visit['id']}/photos", headers=csrf,
                        data={"file": (io.BytesIO(original), "anh.jpg"), "item": "photo-item-annot-3",
                              "caption": "Quầy một cửa", "for_item": key})
    assert taken.status_code == 201, taken.get_data(as_text=True)
    assert taken.get_json()["value"]["for_item"] == key
    wrong = client.post(f"/visits/{visit['id']}/photos", headers=csrf,
                        data={"file": (io.BytesIO(camera_jpeg(39, (320, 240))), "anh.jpg"),
                              "item": "photo-item-annot-4", "for_item": "khong-co-muc-nay"})
    assert wrong.status_code == 400 and wrong.get_json()["field"] == "for_item"
    url = taken.get_json()["url"]
    shown_before = client.get(url).data
    drawn = circled(shown_before)
    answer = client.post(f"/visits/{visit['id']}/photos", headers=csrf,
                         data={"file": (io.BytesIO(drawn), "anh.jpg"), "annotates": "photo-item-annot-3",
                               "item": "annotation-0003"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    new_url = answer.get_json()["url"]
    assert new_url != url and new_url.split("?")[0] == url.split("?")[0]  # another ?v=, not a stale cache
    base = url.split("?")[0]
    assert client.get(base).data == photo_file(app, answer.get_json()["sha256"])
    assert client.get(base + "?original=1").data == shown_before
    page = client.get(f"/visits/{visit['id']}/capture").get_data(as_text=True)
    assert f'src="{new_url}" data-annotated="1"'.replace("&", "&amp;") in page


def test_use_original_prints_the_photo_as_taken_again_and_keeps_the_copy(app, store, login_as, token):
    """"Dùng ảnh gốc": the minutes print the original again, the annotated file stays,
    the step is audited once; a re-drawn copy from the original is used again."""
    visit = seed_visit(store)
    client = login_as("thanhvien")
    html = client.get(f"/visits/{visit['id']}/capture").get_data(as_text=True)
    csrf = {"X-CSRFToken": html.split('name="csrf-token" content="')[1].split('"')[0]}
    taken = client.post(f"/visits/{visit['id']}/photos", headers=csrf,
                        data={"file": (io.BytesIO(camera_jpeg(40, (1200, 900))), "anh.jpg"),
                              "item": "photo-item-orig-1", "caption": "Bảng niêm yết"})
    assert taken.status_code == 201
    sha = taken.get_json()["sha256"]
    kept = photo_file(app, sha)
    drawn = client.post(f"/visits/{visit['id']}/photos", headers=csrf,
                        data={"file": (io.BytesIO(circled(kept)), "anh.jpg"), "annotates": "photo-item-orig-1",
                              "item": "annotation-orig-1"}).get_json()
    base = f"/visits/{visit['id']}/photos/photo-item-orig-1"
    assert client.get(base).data == photo_file(app, drawn["sha256"])
    refused = client.post(base + "/original")  # no CSRF header
    assert refused.status_code == 400
    audit_before = rows(store, "audit_log")

    answer = client.post(base + "/original", headers=csrf)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["changed"] is True and body["sha256"] == sha and body["url"].startswith(base + "?v=")
    assert client.get(base).data == kept  # shown as taken
    assert photo_file(app, drawn["sha256"])  # the annotated file is kept
    page = client.get(f"/visits/{visit['id']}/capture").get_data(as_text=True)
    assert 'data-annotated="1"' not in page
    logged = store.read(lambda db: db.execute(
        "SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone())
    assert logged[0] == "visit.photo_original" and drawn["sha256"] in logged[1] and sha in logged[1]
    assert rows(store, "audit_log") == audit_before + 1
    again = client.post(base + "/original", headers=csrf).get_json()
    assert again["changed"] is False and rows(store, "audit_log") == audit_before + 1  # nothing to undo twice
    missing = client.post(f"/visits/{visit['id']}/photos/khong-co-anh-nay/original",
                          headers={**csrf, "Accept": "application/json"})
    assert missing.status_code == 404 and "Không tìm thấy ảnh" in missing.get_json()["error"]

    pdf = client.get(f"/api/v1/visits/{visit['id']}/minutes.pdf", headers=token("thuky"))
    assert pdf.status_code == 200
    as_taken = Image.open(io.BytesIO(images.printed_photo(next(
        (app.extensions["survey_files"] / "photos").rglob(f"{sha}.*")))))
    as_drawn = Image.open(io.BytesIO(images.printed_photo(next(
        (app.extensions["survey_files"] / "photos").rglob(f"{drawn['sha256']}.*")))))
    ours = {image.data: image.image for page in PdfReader(io.BytesIO(pdf.data)).pages for image in page.images
            if image.image.size == as_taken.size}  # the seed visit's own photos are smaller
    assert len(ours) == 1
    printed_photo = next(iter(ours.values()))
    assert difference(printed_photo, as_taken) < 3 < difference(printed_photo, as_drawn)

    # Drawn again from the original: that copy is in use again.
    redrawn = client.post(f"/visits/{visit['id']}/photos", headers=csrf,
                          data={"file": (io.BytesIO(circled(client.get(base + "?original=1").data)), "anh.jpg"),
                                "annotates": "photo-item-orig-1", "item": "annotation-orig-2"})
    assert redrawn.status_code == 201 and client.get(base).data == photo_file(app, redrawn.get_json()["sha256"])
