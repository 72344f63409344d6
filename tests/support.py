"""Helpers shared by the test modules, written once: files to upload (images, a PDF,
a drawn signature), an API token's header, and the demo's objects looked up by
what they are (the seed visit by its uuid, a user by username, a unit by name)
rather than by a row id. Fixtures built on these are in conftest.py."""
from __future__ import annotations

import base64
import io
import subprocess
import uuid

from PIL import Image, ImageDraw

from survey_app.demo import seed_document
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import recommendations as recommendations_sql
from survey_app.storage import units as units_sql
from survey_app.storage import visits as visits_sql

# ----------------------------------------------------------------- files to upload


def image_bytes(kind: str = "PNG", size=(8, 8), colour=(200, 30, 30), mode: str = "RGB", **save) -> bytes:
    """A plain image of one colour, encoded as `kind` (PNG, JPEG, TIFF …)."""
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, kind, **save)
    return out.getvalue()


def png_bytes(colour=(200, 30, 30), size=(8, 8)) -> bytes:
    return image_bytes("PNG", size, colour)


def jpeg_bytes(size=(64, 48), colour=(200, 30, 30), **save) -> bytes:
    return image_bytes("JPEG", size, colour, **save)


def data_url(data: bytes, content_type: str = "image/png") -> str:
    return f"data:{content_type};base64," + base64.b64encode(data).decode()


def pdf_bytes() -> bytes:
    """The smallest file that passes for a PDF (evidence uploads)."""
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


SIGNATURE_STROKE = [(10, 90), (80, 20), (140, 100), (290, 40)]


def signature_png(ink=(11, 61, 145, 255), background=(0, 0, 0, 0), size=(300, 120),
                  stroke=SIGNATURE_STROKE) -> bytes:
    """A drawn signature: one stroke on a transparent canvas (300 × 120 unless told)."""
    image = Image.new("RGBA", size, background)
    ImageDraw.Draw(image).line(stroke, fill=ink, width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def signature_b64(**drawing) -> str:
    return base64.b64encode(signature_png(**drawing)).decode()


# ----------------------------------------------------------------- API access


def api_headers(runner, username: str) -> dict:
    """The Authorization header of a fresh token made by the CLI for `username`."""
    result = runner.invoke(args=["token", "create", username])
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.output.strip()}"}


# ----------------------------------------------------------------- the demo's objects


def seed_visit(store) -> dict:
    """The demo's visit, found by the seed document's uuid."""
    return store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])


def user(store, username: str) -> dict:
    return store.read(accounts_sql.get_user_by_username, username)


def seed_recs(store) -> list[dict]:
    """The seed visit's recommendations in item order, each with its unit's name."""
    rows = store.read(recommendations_sql.rows_of_visit, seed_visit(store)["id"])
    return [{**row, "unit_name": store.read(units_sql.get_unit, row["unit_id"])["name"]}
            for _, row in sorted(rows.items())]


def hra_rec(store) -> dict:
    """The first seed recommendation addressed to UBND xã Hra."""
    return next(r for r in seed_recs(store) if r["unit_name"] == "UBND xã Hra")


def stored_files(app) -> list[str]:
    """Every file under the instance's files folder (temporary ones included)."""
    root = app.extensions["survey_files"]
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# ----------------------------------------------------------------- minutes


def pdftotext(pdf: bytes) -> str:
    """The PDF's text (poppler's pdftotext), its whitespace folded to single spaces."""
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def import_visit(client, headers, started_at="2025-11-20T08:00:00+07:00") -> int:
    """A copy of the seed visit under a new uuid, through the API; its id."""
    doc = seed_document()
    doc["uuid"], doc["started_at"] = str(uuid.uuid4()), started_at
    doc.pop("ended_at", None)
    for rec in doc["recommendations"]:
        rec.pop("due", None)
    response = client.post("/api/v1/visits", json=doc, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def sign_all(client, headers, visit_id) -> list[dict]:
    """The three signatures of the demo's minutes (head, secretary, host), each answered 201."""
    answers = []
    for role, name in (("head", "Đinh Ly An"), ("secretary", "Nguyễn Thị Thu"), ("host", "Trần Văn Hùng")):
        response = client.post(f"/api/v1/visits/{visit_id}/minutes/signatures",
                               json={"role": role, "name": name, "image": signature_b64()}, headers=headers)
        assert response.status_code == 201, response.get_json()
        answers.append(response.get_json())
    return answers
