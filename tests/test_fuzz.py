"""Fuzzing (hypothesis): generated input at every page form and every API endpoint never
makes a server error. The visit document's JSON Schema generates valid documents
(answered 201/200, or 400 naming the field: an unknown form, indicator or item key) and,
from the seed document with one mutation, near-valid ones (400 naming the field,
nothing created). Autosave messages from arbitrary JSON answer 4xx JSON and leave the
visit's revision as it was.

One app per module (CSRF off: this is about what the operations do with the input;
CSRF has its own test); examples are few and without deadline so the file stays quick."""
from __future__ import annotations

import base64
import copy
import io
import json
import shutil
import uuid as uuidlib
from urllib.parse import quote, urlsplit

import hypothesis_jsonschema._from_schema as _hjs
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as _conjecture
from hypothesis_jsonschema import from_schema

from survey_app.demo import seed_document
from survey_app.visit_document.validate import SCHEMA

from . import security_world as world
from .conftest import PASSWORDS, make_app


class _LegacyMany:
    """hypothesis-jsonschema 0.23 drives `many(...).more()`, which this Hypothesis no longer
    has (it became a context manager and an iterator): the old calls on top of the new."""

    def __init__(self, data, **sizes):
        self._many = _conjecture.many(data, **sizes).__enter__()
        self._steps = iter(self._many)

    def more(self) -> bool:
        if next(self._steps, False) is None:
            return True
        self._many.__exit__(None)
        return False

    def reject(self, why=None) -> None:
        self._many.reject(why)


if not hasattr(_conjecture.many, "more"):
    _hjs.cu = type("cu", (), {"many": _LegacyMany})

# No shrinking: a failure is reported as found, and a failing run stays quick.
FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                phases=(Phase.explicit, Phase.generate),
                suppress_health_check=list(HealthCheck))
FEW = settings(FUZZ, max_examples=10)
SEED_FORM = seed_document()["form"]
SEED_INDICATORS = list(seed_document()["report"]["indicators"])

# ------------------------------------------------------------------ strategies

SPECIAL = ["", " ", "0", "-1", "1e999", "NaN", "9" * 30, "null", "[]", "{}", "../../etc/passwd",
           "<script>x</script>", "' OR 1=1 --", '"', "%00", "\u0000", "\u202e", "😀" * 50,
           "2025-02-30", "2025-13-01", "0000-00-00", "9999-12-31", "2025-10-13T08:00", "x" * 5000]
TEXT = st.one_of(st.text(max_size=80), st.sampled_from(SPECIAL))
# Raw JSON may carry what a form cannot: lone surrogates ("\ud800"), huge numbers, NaN.
JSON_TEXT = st.one_of(TEXT, st.text(st.characters(exclude_categories=()), max_size=20),
                      st.sampled_from(["\ud800", "a\udfffb", "\udbff\udbff"]))
JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2 ** 63),
                        st.floats(), JSON_TEXT)
JSON = st.recursive(JSON_SCALAR, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(JSON_TEXT, children, max_size=4)), max_leaves=12)
DATE_TEXT = st.one_of(TEXT, st.dates().map(str), st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")))
FILE_BYTES = st.one_of(st.binary(max_size=300), st.just(world.png_bytes()),
                       st.binary(max_size=40).map(lambda b: world.png_bytes()[:30] + b),
                       st.sampled_from([b"%PDF-1.7\n%%EOF", b"PK\x03\x04garbage", b"\xff\xd8\xff\xe0broken",
                                        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"GIF89a", b"<svg onload=x>"]))
FILE_NAME = st.one_of(st.text(st.characters(exclude_characters='\r\n"\\', exclude_categories=("Cs", "Cc")),
                              min_size=1, max_size=40),
                      st.sampled_from(["../../etc/passwd", "a/b.jpg", "x.jpg\x00.txt", "..\\..\\w.ini", ".pdf"]))
UPLOAD = st.tuples(FILE_BYTES, FILE_NAME)


def dumps(value) -> str:
    return json.dumps(value, allow_nan=True)  # what a careless client may send: NaN, Infinity


# ------------------------------------------------------------------ the app

class Fuzz:
    def __init__(self, app, ids):
        self.app, self.ids = app, ids
        self.store = app.extensions["survey_store"]
        self.tokens = world.tokens(self.store)
        self.admin = world.bearer(self.tokens["admin"])
        self.editor = world.bearer(self.tokens["secretary"])
        self._pages: dict = {}

    def client(self):
        client = self.app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        return client

    def page(self, username: str = "admin"):
        """A signed-in page client (password hashing is slow: once per user)."""
        if username not in self._pages:
            client = self.client()
            response = client.post("/login", data={"username": username, "password": PASSWORDS[username]})
            assert response.status_code == 302
            self._pages[username] = client
        return self._pages[username]

    def count(self, table: str) -> int:
        return self.store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def revision(self, visit_id: int) -> int:
        return self.store.db.execute("SELECT revision FROM visits WHERE id = ?", (visit_id,)).fetchone()[0]


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory, demo_instance):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(demo_instance, folder / "instance")
    app = make_app(folder, WTF_CSRF_ENABLED=False)
    ids = world.build(app)
    fuzz = Fuzz(app, ids)
    # A draft of the editable visit, so its wording form has something to edit.
    assert fuzz.client().post("/api/v1/visits/1/minutes/draft", headers=fuzz.admin).status_code == 200
    yield fuzz
    fuzz.store.close()


def no_server_error(response, what) -> None:
    assert response.status_code < 500, (what, response.status_code, response.get_data(as_text=True)[:800])


def json_refusal(response, what) -> dict:
    """A 4xx JSON answer that says what is wrong."""
    no_server_error(response, what)
    assert 400 <= response.status_code < 500, (what, response.status_code)
    body = response.get_json()
    assert isinstance(body, dict) and body.get("error"), (what, response.get_data(as_text=True)[:500])
    return body


# ------------------------------------------------------------------ page forms

@FEW
@given(username=TEXT, password=TEXT, next_url=TEXT)
def test_login_form(fuzz, username, password, next_url):
    response = fuzz.client().post("/login?next=" + quote(next_url, safe=""),
                                  data={"username": username, "password": password})
    no_server_error(response, "login")
    assert response.status_code in (200, 400, 401, 429)


@FEW
@given(next_url=st.one_of(TEXT, st.sampled_from(["//evil.example", "/\\evil.example", "/\\/evil.example",
                                                 "https://evil.example", "/%5Cevil.example", "/\t/evil.example",
                                                 "javascript:alert(1)", "/visits"])))
def test_login_redirect_stays_on_the_site(fuzz, next_url):
    client = fuzz.client()
    response = client.post("/login?next=" + quote(next_url, safe=""),
                           data={"username": "xem", "password": PASSWORDS["xem"]})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    # A browser reads "/\evil" as "//evil": the target must be a plain path of this site.
    assert location.netloc in ("", "localhost") and not location.path.startswith(("//", "/\\")), next_url
    assert "\\" not in location.path[:2] and location.scheme in ("", "http", "https")


@FUZZ
@given(fields=st.fixed_dictionaries({
    "delegation": st.one_of(st.just("1"), TEXT), "unit": TEXT, "place": TEXT, "locality": TEXT,
    "started_at": DATE_TEXT, "form": st.one_of(st.sampled_from([SEED_FORM, "tram-y-te-xa"]), TEXT)}),
    as_json=st.booleans())
def test_plan_visit_form(fuzz, fields, as_json):
    headers = {"Accept": "application/json"} if as_json else {}
    response = fuzz.page().post("/visits/new", data=fields, headers=headers)
    no_server_error(response, "plan")
    assert response.status_code in (200, 302, 400)


@FUZZ
@given(fields=st.fixed_dictionaries({"username": TEXT, "full_name": TEXT, "password": TEXT,
                                     "role": st.one_of(st.sampled_from(["admin", "host", "viewer"]), TEXT),
                                     "unit": TEXT}))
def test_admin_users_form(fuzz, fields):
    response = fuzz.page().post("/admin/users", data=fields)
    no_server_error(response, "admin.users")
    assert response.status_code in (302, 400)


@FEW
@given(p12=FILE_BYTES, passphrase=TEXT)
def test_certificate_form(fuzz, p12, passphrase):
    response = fuzz.page().post("/admin/certificate", data={"p12": (io.BytesIO(p12), "c.p12"),
                                                            "passphrase": passphrase})
    no_server_error(response, "certificate")
    assert response.status_code == 400  # never a certificate made of generated bytes


WORDING_KEYS = st.sampled_from(["report", "difficulties", "proposals", "opinions", "conclusion",
                                "recommendations", "nonsense", ""])


@FUZZ
@given(fields=st.dictionaries(WORDING_KEYS, TEXT, max_size=6))
def test_minutes_wording_form(fuzz, fields):
    response = fuzz.page().post("/visits/1/minutes/wording", data=fields)
    no_server_error(response, "wording")
    assert response.status_code in (200, 302, 409)


@FUZZ
@given(roles=st.lists(st.one_of(st.sampled_from(["head", "secretary", "host"]), TEXT), max_size=5),
       visit=st.sampled_from(["own", "frozen"]))
def test_signatory_roles_form(fuzz, roles, visit):
    response = fuzz.page().post(f"/visits/{fuzz.ids[visit]}/minutes/signatories", data={"roles": roles})
    no_server_error(response, "signatories")
    assert response.status_code == 302


IMAGE = st.one_of(TEXT, st.just(world.png_base64()), st.binary(max_size=200).map(
    lambda b: "data:image/png;base64," + base64.b64encode(b).decode()),
    st.binary(max_size=60).map(lambda b: base64.b64encode(world.png_bytes()[:40] + b).decode()))


@FUZZ
@given(role=st.one_of(st.sampled_from(["head", "secretary", "host"]), TEXT.filter(lambda t: t.strip("./"))),
       name=TEXT, image=IMAGE)
def test_signature_form(fuzz, role, name, image):
    path = f"/visits/{fuzz.ids['frozen']}/minutes/sign/{quote(role, safe='')}"
    response = fuzz.page().post(path, data={f"{role}-name": name, f"{role}-image": image})
    no_server_error(response, "sign")
    assert response.status_code in (302, 404)


@FUZZ
@given(status=st.one_of(st.sampled_from(["open", "in_progress", "done", "not_done", "dropped"]), TEXT),
       note=TEXT, uploads=st.lists(UPLOAD, max_size=3), user=st.sampled_from(["admin", "xahra"]))
def test_followup_update_form(fuzz, status, note, uploads, user):
    data = {"status": status, "note": note,
            "evidence": [(io.BytesIO(content), name) for content, name in uploads]}
    response = fuzz.page(user).post(f"/followup/r/{fuzz.ids['own_rec']}/updates", data=data)
    no_server_error(response, "followup update")
    assert response.status_code == 303


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["decision", "note", "status", "x"]),
                              st.one_of(st.sampled_from(["accept", "reject"]), TEXT), max_size=3))
def test_followup_decision_form(fuzz, fields):
    response = fuzz.page().post(f"/followup/r/{fuzz.ids['own_rec']}/decision", data=fields)
    no_server_error(response, "followup decision")
    assert response.status_code == 303


@FEW
@given(upload=UPLOAD, code=TEXT)
def test_verify_form(fuzz, upload, code):
    content, name = upload
    response = fuzz.client().post("/verify?code=" + quote(code, safe=""),
                                  data={"file": (io.BytesIO(content), name)})
    no_server_error(response, "verify page")


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["item", "caption", "credit", "checklist_item"]),
                              TEXT, max_size=4), upload=UPLOAD, uid=st.uuids().map(str))
def test_photo_upload(fuzz, fields, upload, uid):
    content, name = upload
    data = {"item": uid, **fields, "file": (io.BytesIO(content), name)}
    response = fuzz.page().post("/visits/1/photos", data=data)
    no_server_error(response, "photo")
    if response.status_code >= 400:
        json_refusal(response, "photo")


@FUZZ
@given(body=st.one_of(JSON, st.fixed_dictionaries({
    "uuid": st.one_of(st.uuids().map(str), TEXT), "delegation": st.one_of(st.just(1), JSON),
    "unit": JSON, "form": st.one_of(st.just(SEED_FORM), JSON), "started_at": st.one_of(DATE_TEXT, JSON),
    "place": JSON, "locality": JSON})))
def test_visit_from_device(fuzz, body):
    response = fuzz.page().post("/visits/from-device", data=dumps(body), content_type="application/json")
    no_server_error(response, "from-device")
    if response.status_code >= 400:
        json_refusal(response, "from-device")


QUERY_PAGES = ["/visits", "/followup/", "/followup/report", "/followup/report.csv", "/followup/reminders",
               "/followup/charts/closed.svg", "/followup/charts/status-by-unit.svg", "/verify",
               "/api/v1/recommendations"]
QUERY_KEYS = st.sampled_from(["q", "unit", "delegation", "status", "date_from", "date_to", "page", "month",
                              "overdue", "from", "to", "days", "code", "x"])


@settings(FUZZ, max_examples=40)
@given(path=st.sampled_from(QUERY_PAGES),
       query=st.dictionaries(QUERY_KEYS, st.one_of(DATE_TEXT, st.integers().map(str)), max_size=6),
       user=st.sampled_from(["admin", "xahra"]))
def test_list_and_board_query_strings(fuzz, path, query, user):
    if path.startswith("/api/"):
        token = fuzz.tokens["host" if user == "xahra" else "admin"]
        response = fuzz.client().get(path, query_string=query, headers=world.bearer(token))
    else:
        response = fuzz.page(user).get(path, query_string=query)
    no_server_error(response, (path, query))
    assert response.status_code in (200, 400), (path, query, response.status_code)


# ------------------------------------------------------------------ the visit document

@st.composite
def schema_documents(draw):
    """Documents valid per the JSON Schema; often with the seed's form and no unknown keys,
    so that some get past the form checks too."""
    doc = draw(from_schema(copy.deepcopy(SCHEMA)))  # from_schema resolves $refs in place
    if draw(st.booleans()):
        doc["form"] = SEED_FORM
        report = doc.get("report", {})
        report.pop("indicators", None) if draw(st.booleans()) else \
            report.update(indicators={k: v for k, v in zip(SEED_INDICATORS, report.get("indicators", {}).values())})
        doc.pop("checklist", None)
        # Real dates too: the schema's patterns allow the 47th month.
        doc["started_at"] = "2025-10-13T08:00:00+07:00"
        doc.pop("ended_at", None)
        report.pop("period", None)
        for recommendation in doc.get("recommendations", []):
            recommendation.pop("due", None)
        for photo in doc.get("photos", []):
            photo.pop("data", None)
    return doc


@FUZZ
@given(doc=schema_documents())
def test_schema_valid_documents(fuzz, doc):
    client = fuzz.client()
    response = client.post("/api/v1/visits", data=dumps(doc), content_type="application/json",
                           headers=fuzz.admin)
    no_server_error(response, doc)
    event(f"answer {response.status_code} {(response.get_json() or {}).get('field', '')}"[:40])
    if response.status_code in (200, 201):
        assert response.get_json()["id"] >= 1
        again = client.post("/api/v1/visits", json=doc, headers=fuzz.admin)
        assert again.status_code == 200 and again.get_json()["id"] == response.get_json()["id"]
    else:
        assert response.status_code == 400, response.get_data(as_text=True)[:500]
        assert json_refusal(response, doc).get("field"), response.get_json()


def _paths(value, path=()):
    """Every (path, value) inside the seed document."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, path + (index,))


SEED = seed_document()
SEED_PATHS = [p for p, _ in _paths(SEED) if p and p[0] not in ("format",)]
DICT_PATHS = [p for p, v in _paths(SEED) if isinstance(v, dict) and p[-1:] not in (("indicators",),)]
REQUIRED = [("format",), ("uuid",), ("form",), ("delegation",), ("host",), ("started_at",),
            ("delegation", "name"), ("delegation", "body"), ("host", "unit")] + \
    [(key, i, "text") for key in ("difficulties", "proposals", "opinions", "recommendations")
     for i in range(len(SEED.get(key, [])))]
DATE_PATHS = [("started_at",), ("report", "period", "from"), ("report", "period", "to"),
              ("recommendations", 0, "due"), ("ended_at",)]
BAD_DATES = st.one_of(st.sampled_from(["2025-02-30", "2025-13-01", "0000-00-00", "13/10/2025", "2025-10-13T08:00",
                                       "2025-10-13T25:00:00+07:00", "2025-10-13T08:00:00+25:00", "yesterday",
                                       "2025-10-13 08:00:00+07:00", "1990-01-01", "2025-1-1"]),
                      st.text(max_size=12).filter(lambda t: not t[:4].isdigit()))


def _set(doc, path, value):
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


def _other_type(value):
    """A JSON value of a type the field does not take."""
    if isinstance(value, str):
        return st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=2), st.just({}))
    if isinstance(value, (int, float)):
        return st.one_of(st.text(max_size=5), st.booleans(), st.none(), st.just([1]))
    return st.one_of(st.text(max_size=5), st.integers(), st.booleans())


@st.composite
def near_valid_documents(draw):
    """The seed with a new uuid and exactly one mistake; (document, what was done)."""
    doc = copy.deepcopy(SEED)
    doc["uuid"] = str(uuidlib.uuid4())
    kind = draw(st.sampled_from(["type", "unknown_key", "missing", "bad_date"]))
    if kind == "type":
        path = draw(st.sampled_from(SEED_PATHS))
        _set(doc, path, draw(_other_type(_get(doc, path))))
    elif kind == "unknown_key":
        path = draw(st.sampled_from(DICT_PATHS + [("report", "indicators")]))
        parent = _get(doc, path)
        key = draw(st.text(min_size=1, max_size=20).filter(lambda k: k not in parent))
        parent[key] = draw(st.one_of(st.integers(), st.text(max_size=5)))
    elif kind == "missing":
        path = draw(st.sampled_from(REQUIRED))
        del _get(doc, path[:-1])[path[-1]]
    else:
        path = draw(st.sampled_from(DATE_PATHS))
        doc.setdefault("report", {}).setdefault("period", {})
        _set(doc, path, draw(BAD_DATES))
    return doc, (kind, path)


@settings(FUZZ, max_examples=40)
@given(case=near_valid_documents())
def test_near_valid_documents_are_refused_naming_the_field(fuzz, case):
    doc, mutation = case
    visits = fuzz.count("visits")
    response = fuzz.client().post("/api/v1/visits", data=dumps(doc), content_type="application/json",
                                  headers=fuzz.admin)
    assert response.status_code == 400, (mutation, response.status_code, response.get_data(as_text=True)[:400])
    body = json_refusal(response, mutation)
    assert body.get("field"), (mutation, body)
    assert fuzz.count("visits") == visits
    if isinstance(doc.get("uuid"), str):
        assert fuzz.store.db.execute("SELECT 1 FROM visits WHERE uuid = ?", (doc["uuid"],)).fetchone() is None


# ------------------------------------------------------------------ autosave messages

TARGETS = ["report.summary", "host.place", "conclusion.text", "started_at", "ended_at", "report.period.from",
           f"indicators.{SEED_INDICATORS[0]}", "checklist.x.value", "attendee", "difficulty", "proposal",
           "opinion", "recommendation", "photo", "status", "visit"]
VALUE = st.one_of(JSON_TEXT, st.dictionaries(st.sampled_from(["text", "name", "title", "addressee", "caption",
                                                              "side", "due", "member"]), JSON_TEXT, max_size=3))
LOOSE = st.fixed_dictionaries(
    {"id": st.one_of(st.uuids().map(str), JSON_TEXT)},
    optional={"target": st.one_of(st.sampled_from(TARGETS), JSON), "op": st.one_of(
        st.sampled_from(["set", "add", "delete", "move"]), JSON), "value": st.one_of(VALUE, JSON),
        "item": st.one_of(st.uuids().map(str), JSON), "base_version": st.one_of(st.integers(-2, 3), JSON),
        "position": JSON, "visit": JSON})
WELL_FORMED = st.fixed_dictionaries({
    "id": st.uuids().map(str), "target": st.sampled_from(TARGETS), "op": st.sampled_from(["set", "add", "delete"]),
    "value": VALUE, "item": st.uuids().map(str), "base_version": st.integers(0, 3)})


@settings(FUZZ, max_examples=40)
@given(body=JSON)
def test_arbitrary_json_changes_are_refused(fuzz, body):
    before = fuzz.revision(1)
    response = fuzz.client().post("/api/v1/visits/1/changes", data=dumps(body), content_type="application/json",
                                  headers=fuzz.editor)
    no_server_error(response, body)
    if isinstance(body, dict) and list(body) == ["messages"] and isinstance(body["messages"], list):
        assert response.status_code == 200  # a batch answers per message
        assert all(r["status"] >= 400 for r in response.get_json()["results"])
    else:
        json_refusal(response, body)
    assert fuzz.revision(1) == before


@settings(FUZZ, max_examples=40)
@given(messages=st.lists(st.one_of(WELL_FORMED, LOOSE), min_size=1, max_size=3), batch=st.booleans())
def test_near_valid_change_messages(fuzz, messages, batch):
    before = fuzz.revision(1)
    body = {"messages": messages} if batch else messages[0]
    response = fuzz.client().post("/api/v1/visits/1/changes", data=dumps(body), content_type="application/json",
                                  headers=fuzz.editor)
    no_server_error(response, body)
    statuses = [r["status"] for r in response.get_json()["results"]] if batch and response.status_code == 200 \
        else [response.status_code]
    if response.status_code >= 400:
        json_refusal(response, body)
    if all(status >= 400 for status in statuses):
        assert fuzz.revision(1) == before, body


# ------------------------------------------------------------------ the rest of the API

@FUZZ
@given(body=st.one_of(JSON, st.dictionaries(st.sampled_from(["status", "note", "decision"]),
                                             st.one_of(st.sampled_from(["in_progress", "done", "accept",
                                                                        "reject", "open"]), JSON), max_size=3)))
def test_recommendation_updates(fuzz, body):
    response = fuzz.client().post(f"/api/v1/recommendations/{fuzz.ids['own_rec']}/updates", data=dumps(body),
                                  content_type="application/json", headers=fuzz.admin)
    no_server_error(response, body)
    if response.status_code >= 400:
        json_refusal(response, body)
    else:
        assert response.status_code == 201


@FUZZ
@given(body=st.one_of(JSON, st.fixed_dictionaries({}, optional={
    "role": st.one_of(st.sampled_from(["head", "secretary", "host"]), JSON), "name": st.one_of(TEXT, JSON),
    "image": st.one_of(IMAGE, JSON)})))
def test_minutes_signatures(fuzz, body):
    response = fuzz.client().post(f"/api/v1/visits/{fuzz.ids['frozen']}/minutes/signatures", data=dumps(body),
                                  content_type="application/json", headers=fuzz.admin)
    no_server_error(response, body)
    if response.status_code >= 400:
        json_refusal(response, body)


@FUZZ
@given(body=st.one_of(JSON, st.dictionaries(WORDING_KEYS, st.one_of(TEXT, JSON), max_size=4)))
def test_minutes_wording_api(fuzz, body):
    response = fuzz.client().post("/api/v1/visits/1/minutes/wording", data=dumps(body),
                                  content_type="application/json", headers=fuzz.admin)
    no_server_error(response, body)
    if response.status_code >= 400:
        json_refusal(response, body)


@pytest.fixture(scope="module")
def real_pdf(fuzz):
    response = fuzz.client().get(f"/api/v1/visits/{fuzz.ids['frozen']}/minutes.pdf", headers=fuzz.admin)
    assert response.status_code == 200
    return response.data


@st.composite
def damaged_pdfs(draw, pdf):
    kind = draw(st.sampled_from(["cut", "flip", "insert", "random"]))
    if kind == "random":
        return draw(st.binary(max_size=400).map(lambda b: b"%PDF-1.7\n" + b))
    at = draw(st.integers(0, len(pdf) - 1))
    if kind == "cut":
        return pdf[:at]
    if kind == "flip":
        return pdf[:at] + bytes([pdf[at] ^ draw(st.integers(1, 255))]) + pdf[at + 1:]
    return pdf[:at] + draw(st.binary(min_size=1, max_size=40)) + pdf[at:]


@pytest.mark.parametrize("as_file", [False, True])
def test_verify_api(fuzz, real_pdf, as_file):
    @FEW
    @given(data=st.one_of(FILE_BYTES, damaged_pdfs(real_pdf)))
    def check(data):
        kwargs = {"data": {"file": (io.BytesIO(data), "../x.pdf")}} if as_file else {"data": data}
        response = fuzz.client().post("/api/v1/verify", headers=fuzz.admin, **kwargs)
        no_server_error(response, data[:100])
        if response.status_code >= 400:
            json_refusal(response, data[:100])
        else:
            assert response.get_json()["valid"] is False or data == real_pdf
    check()
