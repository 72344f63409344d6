"""Server memory through a visit with 20 phone photos (issue 11 item 4): the real
server (`survey-app serve`) imports a visit document without photos, takes 20
photos of ~2.8 MB (4000 × 3000 JPEG) one request each on `POST
/api/v1/visits/ID/photos`, and renders the minutes PDF. Reported: the server
process's peak RSS (VmHWM in /proc/PID/status; target ≤ 200 MB), its RSS before,
the PDF's size (≤ 10 MB) and the upload time per photo.

For comparison, the way tablets had to send photos before: a fresh server imports
one visit document with as many of the photos inline as base64 as the 30 MB body
limit lets through (7 of them, ~26 MB of JSON) and renders its minutes.
"""
from __future__ import annotations

import base64
import http.client
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from survey_app.demo import seed_document
from tests.crafted_files import camera_jpeg

from .instance import demo_server

PHOTOS = 20
TARGET_MB = 200
PDF_TARGET_MB = 10


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def _request(port: int, method: str, path: str, token: str, body: bytes | None = None,
             content_type: str = "application/json") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = content_type
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status >= 400:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
    return response.status, data


def _multipart(fields: dict, photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="anh.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _document(photos: list[bytes]) -> dict:
    doc = seed_document()
    doc["uuid"] = str(uuid.uuid4())
    doc["photos"] = [{"caption": f"Ảnh {i + 1}", "credit": "R'Piên", "data": base64.b64encode(p).decode()}
                     for i, p in enumerate(photos)]
    return doc


def _one_by_one(photos: list[bytes]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        server = demo_server(Path(tmp))
        token = server.cli("token", "create", "thuky").strip()
        with server:
            pid, port = server.process.pid, server.port
            _request(port, "GET", "/api/v1/me", token)
            before = _status_mb(pid, "VmRSS")
            _, answer = _request(port, "POST", "/api/v1/visits", token, json.dumps(_document([])).encode())
            visit_id = json.loads(answer)["id"]
            times = []
            for i, photo in enumerate(photos):
                body, kind = _multipart({"caption": f"Ảnh {i + 1}", "credit": "R'Piên"}, photo)
                start = time.perf_counter()
                status, _ = _request(port, "POST", f"/api/v1/visits/{visit_id}/photos", token, body, kind)
                times.append((time.perf_counter() - start) * 1000)
                assert status == 201
            after_uploads = _status_mb(pid, "VmHWM")
            start = time.perf_counter()
            _, pdf = _request(port, "GET", f"/api/v1/visits/{visit_id}/minutes.pdf", token)
            render_s = time.perf_counter() - start
            peak = _status_mb(pid, "VmHWM")
    return {"rss_before": before, "peak": peak, "after_uploads": after_uploads, "pdf_mb": len(pdf) / 1024 / 1024,
            "upload_ms": statistics.median(times), "render_s": render_s}


def _inline(photos: list[bytes]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        server = demo_server(Path(tmp))
        token = server.cli("token", "create", "thuky").strip()
        with server:
            pid, port = server.process.pid, server.port
            _request(port, "GET", "/api/v1/me", token)
            body = json.dumps(_document(photos)).encode()
            _, answer = _request(port, "POST", "/api/v1/visits", token, body)
            _request(port, "GET", f"/api/v1/visits/{json.loads(answer)['id']}/minutes.pdf", token)
            return {"peak": _status_mb(pid, "VmHWM"), "body_mb": len(body) / 1024 / 1024}


def run(quick: bool) -> dict:
    count = 5 if quick else PHOTOS
    photos = [camera_jpeg(1000 + i) for i in range(count)]
    result = _one_by_one(photos)
    fit = next(n for n in range(count, 0, -1) if sum(map(len, photos[:n])) * 4 / 3 < 28 * 1024 * 1024)
    inline = _inline(photos[:fit])
    size = sum(map(len, photos)) / count / 1024 / 1024
    figures = [
        {"name": f"server peak RSS: import, {count} photos of {size:.1f} MB one a request, minutes PDF",
         "value": round(result["peak"], 1), "unit": "MB", "target": f"≤ {TARGET_MB}",
         "ok": result["peak"] <= TARGET_MB},
        {"name": "server peak RSS after the uploads, before the minutes", "value": round(result["after_uploads"], 1),
         "unit": "MB", "target": "-", "ok": True},
        {"name": "server RSS before the visit", "value": round(result["rss_before"], 1), "unit": "MB",
         "target": "-", "ok": True},
        {"name": f"minutes PDF with {count} photos", "value": round(result["pdf_mb"], 2), "unit": "MB",
         "target": f"≤ {PDF_TARGET_MB}", "ok": result["pdf_mb"] <= PDF_TARGET_MB},
        {"name": "photo upload, median", "value": round(result["upload_ms"]), "unit": "ms", "target": "-",
         "ok": True},
        {"name": "minutes PDF render through the server", "value": round(result["render_s"], 1), "unit": "s",
         "target": "-", "ok": True},
        {"name": f"for comparison: peak RSS, {fit} photos inline in the visit document "
                 f"({inline['body_mb']:.0f} MB of JSON) and its minutes", "value": round(inline["peak"], 1),
         "unit": "MB", "target": "-", "ok": True},
    ]
    return {"figures": figures}
