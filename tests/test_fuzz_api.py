# ruff: noqa: F405  (names from fuzz_support)
"""Fuzzing the API: schema-generated and near-valid visit documents, arbitrary
autosave messages and bodies (strategies and the module app in fuzz_support.py)."""
from __future__ import annotations

from .fuzz_support import *  # noqa: F401,F403  (strategies, settings, helpers)
from .fuzz_support import fuzz_app


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory, demo_instance):
    yield from fuzz_app(tmp_path_factory, demo_instance)

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
    before = fuzz.revision(fuzz.ids["own"])
    response = fuzz.client().post(f"/api/v1/visits/{fuzz.ids['own']}/changes", data=dumps(body), content_type="application/json",
                                  headers=fuzz.editor)
    no_server_error(response, body)
    if isinstance(body, dict) and list(body) == ["messages"] and isinstance(body["messages"], list):
        assert response.status_code == 200  # a batch answers per message
        assert all(r["status"] >= 400 for r in response.get_json()["results"])
    else:
        json_refusal(response, body)
    assert fuzz.revision(fuzz.ids["own"]) == before


@settings(FUZZ, max_examples=40)
@given(messages=st.lists(st.one_of(WELL_FORMED, LOOSE), min_size=1, max_size=3), batch=st.booleans())
def test_near_valid_change_messages(fuzz, messages, batch):
    before = fuzz.revision(fuzz.ids["own"])
    body = {"messages": messages} if batch else messages[0]
    response = fuzz.client().post(f"/api/v1/visits/{fuzz.ids['own']}/changes", data=dumps(body), content_type="application/json",
                                  headers=fuzz.editor)
    no_server_error(response, body)
    statuses = [r["status"] for r in response.get_json()["results"]] if batch and response.status_code == 200 \
        else [response.status_code]
    if response.status_code >= 400:
        json_refusal(response, body)
    if all(status >= 400 for status in statuses):
        assert fuzz.revision(fuzz.ids["own"]) == before, body


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
    response = fuzz.client().post(f"/api/v1/visits/{fuzz.ids['own']}/minutes/wording", data=dumps(body),
                                  content_type="application/json", headers=fuzz.admin)
    no_server_error(response, body)
    if response.status_code >= 400:
        json_refusal(response, body)


JSON_ENDPOINTS = ["/api/v1/visits", "/api/v1/visits/{own}/changes", "/api/v1/visits/{own}/minutes/wording",
                  "/api/v1/visits/{frozen}/minutes/signatures", "/api/v1/recommendations/{own_rec}/updates"]


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_hostile_json_is_refused_at_every_endpoint(fuzz, path):
    """Deep nesting and huge integers: a 400 naming the body, and nothing changed."""
    @FUZZ
    @given(text=HOSTILE_JSON_TEXT)
    def check(text):
        before = (fuzz.revision(fuzz.ids["own"]), fuzz.count("visits"), fuzz.count("recommendation_updates"),
                  fuzz.count("minutes_signatures"))
        response = fuzz.client().post(path.format(**fuzz.ids), data=text, content_type="application/json",
                                      headers=fuzz.admin)
        body = json_refusal(response, text[:80])
        assert response.status_code == 400 and body["field"] == "body", (text[:80], body)
        assert before == (fuzz.revision(fuzz.ids["own"]), fuzz.count("visits"), fuzz.count("recommendation_updates"),
                          fuzz.count("minutes_signatures"))
    check()


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
