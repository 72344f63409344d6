"""Injection: markup and script typed into every text field of a visit (through the
autosave messages of the API) and into a follow-up note are shown as text in the pages
(real Chromium: nothing runs, no element is made of them), in the minutes PDF and DOCX;
the PDF renderer never fetches a network address (a listener on 127.0.0.1 counts zero
requests); uploads are checked by content, size-limited and stored under their SHA-256,
so no name given by a user reaches the file system."""
from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import re
import sqlite3
import subprocess
import threading
import urllib.request
import uuid as uuidlib
from pathlib import Path

import pytest
from docx import Document

from survey_app.documents.render import render_pdf

from . import security_world as world
from .live import free_port, login_page

MARKUP = ('<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
          '"><svg onload="window.__xss=1">')
FIELDS = ("report.summary", "host.place", "host.locality", "conclusion.by", "conclusion.text")
# kind → the text keys of its item (ITEM_FIELDS); `side` and `due` take fixed values.
ITEMS = {"attendee": ("name", "title"), "difficulty": ("text",), "proposal": ("text", "addressee"),
         "opinion": ("member", "text"), "recommendation": ("text", "addressee")}


def payload(tag: str) -> str:
    return f"[{tag}] {MARKUP}"


def squeeze(text: str) -> str:
    """Without white space: a PDF line may break anywhere a space was."""
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ a visit full of markup, on the live server

class Api:
    def __init__(self, server, token):
        self.server, self.headers = server, {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.server.url + path, data=data, method=method,
                                         headers={**self.headers, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, method, path, body=None):
        status, data = self.call(method, path, body)
        return status, json.loads(data)


def _change(api, visit_id, message) -> dict:
    status, result = api.json("POST", f"/api/v1/visits/{visit_id}/changes", message)
    if status == 409:  # set on a field the import already wrote: take the server's version
        message = {**message, "id": str(uuidlib.uuid4()), "base_version": result["server_version"]}
        status, result = api.json("POST", f"/api/v1/visits/{visit_id}/changes", message)
    assert status == 200, (message, result)
    return result


def _read(server, sql_text, *args) -> tuple:
    """One row from the live server's database (read-only: the ids the API does not list)."""
    db = sqlite3.connect(f"file:{server.folder / 'instance' / 'survey_app.db'}?mode=ro", uri=True)
    try:
        row = db.execute(sql_text, args).fetchone()
    finally:
        db.close()
    assert row is not None, (sql_text, args)
    return row


def _photo_uid(server, visit_id) -> tuple[str, int]:
    return _read(server, "SELECT uid, version FROM visit_items WHERE visit_id = ? AND kind = 'photo' "
                         "AND deleted = 0 ORDER BY position LIMIT 1", visit_id)


@pytest.fixture(scope="module")
def marked(live_server):
    """A visit whose every text field holds markup; {visit, rec, unit, api, tags}."""
    api = Api(live_server, live_server.cli("token", "create", "thuky").strip())
    status, created = api.json("POST", "/api/v1/visits", world.document())
    assert status == 201, created
    visit_id = created["id"]
    tags = []
    for path in FIELDS:
        _change(api, visit_id, {"id": str(uuidlib.uuid4()), "target": path, "op": "set",
                                "value": payload(path), "base_version": 0})
        tags.append(path)
    for kind, keys in ITEMS.items():
        value = {key: payload(f"{kind}.{key}") for key in keys}
        value.update({"attendee": {"side": "host"}, "recommendation": {"due": "2026-06-30"}}.get(kind, {}))
        _change(api, visit_id, {"id": str(uuidlib.uuid4()), "target": kind, "op": "add",
                                "item": str(uuidlib.uuid4()), "value": value})
        tags += [f"{kind}.{key}" for key in keys]
    uid, version = _photo_uid(live_server, visit_id)
    _change(api, visit_id, {"id": str(uuidlib.uuid4()), "target": "photo", "op": "set", "item": uid,
                            "value": {"caption": payload("photo.caption")}, "base_version": version})
    tags.append("photo.caption")
    rec = _read(live_server, "SELECT item_id FROM recommendations WHERE visit_id = ? AND text LIKE ?",
                visit_id, "%recommendation.text%")[0]
    status, update = api.json("POST", f"/api/v1/recommendations/{rec}/updates",
                              {"status": "in_progress", "note": payload("note")})
    assert status == 201, update
    status, draft = api.json("POST", f"/api/v1/visits/{visit_id}/minutes/draft")
    assert status == 200, draft
    unit = _read(live_server, "SELECT unit_id FROM visits WHERE id = ?", visit_id)[0]
    return {"visit": visit_id, "rec": rec, "unit": unit, "api": api, "tags": tags}


SHOWN_TEXT = """() => document.body.innerText + "\\n" +
  [...document.querySelectorAll("input, textarea")].map(e => e.value).join("\\n")"""
MADE_OF_MARKUP = """() => [...document.querySelectorAll("[onerror], [onload], img[src='x'], svg")]
  .filter(e => e.getAttribute("onload") || e.getAttribute("onerror") || e.getAttribute("src") === "x")
  .map(e => e.outerHTML).concat([...document.querySelectorAll("script")]
  .filter(s => s.type !== "application/json" && s.textContent.includes("__xss")).map(s => s.outerHTML))"""


def _check_page(page, url, dialogs) -> str:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # scripts that draw lists from data have run
    assert page.evaluate("window.__xss") is None, url
    assert page.evaluate(MADE_OF_MARKUP) == [], url
    assert dialogs == [], url
    return page.evaluate(SHOWN_TEXT)


def test_markup_is_text_in_every_page(live_server, page, marked):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login_page(page, live_server, "thuky")
    visit, tags = marked["visit"], marked["tags"]
    pages = {
        "overview": (f"/visits/{visit}", tags),
        # Place and locality are set when planning, not on the capture page.
        "capture": (f"/visits/{visit}/capture", [t for t in tags if not t.startswith("host.")]),
        "minutes": (f"/visits/{visit}/minutes", []),
        "wording": (f"/visits/{visit}/minutes/wording", ["report.summary", "conclusion.text", "difficulty.text",
                                                          "proposal.text", "opinion.text"]),
        "follow-up": (f"/followup/r/{marked['rec']}", ["recommendation.text", "note"]),
        "board": ("/followup/", ["recommendation.text"]),
        "unit page": (f"/followup/units/{marked['unit']}", ["recommendation.text"]),
        "list": ("/visits?q=" + "script", []),
    }
    missing = {}
    for name, (path, expected) in pages.items():
        shown = _check_page(page, live_server.url + path, dialogs)
        missing[name] = [tag for tag in expected if payload(tag) not in shown]
    assert missing == {name: [] for name in pages}


def test_markup_is_text_in_the_minutes_pdf_and_docx(live_server, page, marked):
    visit, tags = marked["visit"], marked["tags"]
    # the date line names the issuing body's province (Decree 30), not the visited locality
    tags = [tag for tag in tags if tag != "host.locality"]
    status, pdf = marked["api"].call("GET", f"/api/v1/visits/{visit}/minutes.pdf")
    assert status == 200 and pdf.startswith(b"%PDF")
    text = squeeze(subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True)
                   .stdout.decode())
    assert [tag for tag in tags if squeeze(payload(tag)) not in text] == [], text[:3000]
    login_page(page, live_server, "thuky")
    response = page.request.get(f"{live_server.url}/visits/{visit}/minutes/v1.docx")
    assert response.status == 200
    document = Document(io.BytesIO(response.body()))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    words = squeeze("\n".join(texts))
    assert [tag for tag in tags if squeeze(payload(tag)) not in words] == []


# ------------------------------------------------------------------ the renderer stays off the network

class Listener:
    """An HTTP server on 127.0.0.1 that counts the requests it gets."""

    def __init__(self):
        self.paths: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                listener.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(world.png_bytes())

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        urllib.request.urlopen(self.base + "/control", timeout=5).read()  # it does count
        assert self.paths == ["/control"]
        self.paths.clear()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _network_markup(base: str) -> dict:
    return {"plain": f"{base}/x.png", "img": f'<img src="{base}/y.png">',
            "css": f'<style>@import url({base}/i.css); body {{ background: url({base}/z) }}</style>'
                   f'<div style="background-image: url({base}/z)">z</div>'}


def test_the_renderer_refuses_the_network_itself():
    with Listener() as listener:
        markup = _network_markup(listener.base)
        html = (f'<html><head><link rel="stylesheet" href="{listener.base}/s.css">{markup["css"]}</head>'
                f'<body>{markup["img"]}<img src="file:///etc/passwd"><object data="{listener.base}/o"></object>'
                f'<p>{markup["plain"]}</p></body></html>')
        assert render_pdf(html).startswith(b"%PDF")
        assert listener.paths == []


def test_minutes_and_followup_report_fetch_nothing(login_as, store):
    client = login_as("admin")
    admin = world.bearer(world.tokens(store)["admin"])
    with Listener() as listener:
        markup = _network_markup(listener.base)
        doc = world.document()
        doc["report"]["summary"] = " ".join(markup.values())
        doc["host"]["place"] = markup["plain"]
        doc["conclusion"] = {"by": markup["img"], "text": markup["css"]}
        doc["difficulties"] = [{"text": markup["img"]}, {"text": markup["css"]}]
        doc["recommendations"] = [{"text": f"Kiến nghị {markup['img']} {markup['css']}", "addressee": markup["plain"]}]
        doc["photos"][0]["caption"] = markup["img"]
        created = client.post("/api/v1/visits", json=doc, headers=admin)
        assert created.status_code == 201, created.get_json()
        visit = created.get_json()["id"]
        assert client.post(f"/api/v1/visits/{visit}/minutes/draft", headers=admin).status_code == 200
        pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=admin)
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        docx = client.get(f"/visits/{visit}/minutes/v1.docx")
        assert docx.status_code == 200
        rec = store.db.execute("SELECT item_id FROM recommendations WHERE visit_id = ?", (visit,)).fetchone()[0]
        note = client.post(f"/api/v1/recommendations/{rec}/updates", headers=admin,
                           json={"status": "in_progress", "note": " ".join(markup.values())})
        assert note.status_code == 201, note.get_json()
        report = client.get("/followup/report.pdf")
        assert report.status_code == 200 and report.data.startswith(b"%PDF")
        assert listener.paths == []


# ------------------------------------------------------------------ uploads by content, under generated names

BAD_NAMES = ["../../etc/passwd", "a/b.jpg", "x.jpg\x00.txt", "..\\..\\boot.ini", "/tmp/abs.png", ".htaccess"]
STORED = re.compile(r"^[0-9a-f]{64}\.(png|jpg|pdf|webp|docx|xlsx|pptx|doc|xls|odt|ods)$")


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory, demo_instance):
    app, ids, folder = world.world_app(tmp_path_factory, demo_instance, "uploads", WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert client.post("/login", data={"username": "admin", "password": "demo-admin-2025"}).status_code == 302
    yield app, ids, client, folder
    app.extensions["survey_store"].close()


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def _png(n: int) -> bytes:
    return world.png_bytes((n * 37 % 256, n * 11 % 256, 200), size=(9 + n, 9))


def test_uploads_are_stored_by_content_under_generated_names(upload_app):
    app, ids, client, folder = upload_app
    store = app.extensions["survey_store"]
    admin = world.bearer(world.tokens(store)["admin"])
    secretary = world.bearer(world.tokens(store)["secretary"])  # who may collect a signature (issue 14.6)
    before = _files(folder)
    for n, name in enumerate(BAD_NAMES):
        response = client.post(f"/visits/{ids['own']}/photos", data={"item": str(uuidlib.uuid4()),
                                                          "file": (io.BytesIO(_png(n)), name)})
        assert response.status_code == 201, (name, response.get_json())
    evidence = client.post(f"/followup/r/{ids['own_rec']}/updates", data={
        "note": "minh chứng", "evidence": [(io.BytesIO(_png(20 + n)), name) for n, name in enumerate(BAD_NAMES)]})
    assert evidence.status_code == 303
    # The name given is kept only as the download's display name: no folder, no control character.
    for evidence_id, shown in store.db.execute(
            "SELECT id, filename FROM recommendation_evidence WHERE item_id = ?", (ids["own_rec"],)).fetchall():
        assert not re.search(r"[/\\\x00-\x1f]", shown), shown
        download = client.get(f"/followup/evidence/{evidence_id}")
        assert download.status_code == 200 and download.data.startswith(b"\x89PNG"), shown
    signature = client.post(f"/api/v1/visits/{ids['frozen']}/minutes/signatures", headers=secretary,
                            json={"role": "host", "name": "../../etc/passwd",
                                  "image": base64.b64encode(_png(40)).decode()})
    assert signature.status_code == 201, signature.get_json()
    for name in BAD_NAMES:
        verify = client.post("/verify", data={"file": (io.BytesIO(b"%PDF-1.7\n%%EOF\n"), name)})
        assert verify.status_code < 500
        verify = client.post("/api/v1/verify", headers=admin, data={"file": (io.BytesIO(b"%PDF-1.7\n%%EOF\n"), name)})
        assert verify.status_code < 500
    files_dir = Path(app.extensions["survey_files"]).resolve()
    created = _files(folder) - before
    assert created, "nothing was stored"
    outside = sorted(str(p.relative_to(folder)) for p in created if not p.resolve().is_relative_to(files_dir))
    assert outside == []  # the database grows in place (WAL), no other file appears
    for path in created:
        assert STORED.match(path.name), path
        assert path.parent.name == path.name[:2]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name[:64], path
    for name in ("passwd", "b.jpg", "boot.ini", "abs.png", ".htaccess", "x.jpg"):
        assert not any(p.name.startswith(name) for p in _files(folder)), name
    assert not Path("/tmp/abs.png").exists()


def test_text_disguised_as_an_image_or_pdf_is_refused(upload_app):
    app, ids, client, folder = upload_app
    store = app.extensions["survey_store"]
    admin = world.bearer(world.tokens(store)["admin"])
    secretary = world.bearer(world.tokens(store)["secretary"])  # who may collect a signature (issue 14.6)
    before = _files(folder)
    text = b"just some text, not a picture\n" * 10
    photo = client.post(f"/visits/{ids['own']}/photos", data={"item": str(uuidlib.uuid4()), "file": (io.BytesIO(text), "x.jpg")})
    assert photo.status_code == 400 and photo.get_json()["field"] == "file"
    big = client.post(f"/visits/{ids['own']}/photos", data={"item": str(uuidlib.uuid4()),
                                                 "file": (io.BytesIO(_png(1) + b"\0" * (16 * 1024 * 1024)), "big.png")})
    assert big.status_code in (400, 413) and big.get_json()["field"] == "file"
    signature = client.post(f"/api/v1/visits/{ids['frozen']}/minutes/signatures", headers=secretary,
                            json={"role": "head", "name": "Đinh Ly An", "image": base64.b64encode(text).decode()})
    assert signature.status_code == 400 and signature.get_json()["field"] == "image"
    for verify in (client.post("/api/v1/verify", headers=admin, data={"file": (io.BytesIO(text), "x.pdf")}),
                   client.post("/api/v1/verify", headers=admin, data=text)):
        assert verify.status_code == 400 and verify.get_json()["field"] == "file"
    rows = store.db.execute("SELECT count(*) FROM recommendation_evidence").fetchone()[0]
    for name, data in (("x.pdf", text), ("x.jpg", text), ("big.pdf", b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024))):
        # A page form answers with the refusal on the page it came from (303 + message).
        evidence = client.post(f"/followup/r/{ids['own_rec']}/updates",
                               data={"note": "x", "evidence": [(io.BytesIO(data), name)]}, follow_redirects=True)
        assert evidence.status_code in (200, 400, 413) and ("không phải" in evidence.get_data(as_text=True)
                                                            or "quá lớn" in evidence.get_data(as_text=True)), name
    assert store.db.execute("SELECT count(*) FROM recommendation_evidence").fetchone()[0] == rows
    assert {p for p in _files(folder) - before if "files" in p.parts} == set()
