# ruff: noqa: F401  (re-exported to the fuzzing modules by their star import)
"""Shared parts of the fuzzing tests (test_fuzz_forms.py, test_fuzz_api.py).

Fuzzing (hypothesis): generated input at every page form and every API endpoint never
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
# Hostile JSON (issue 15.9), as raw text: nesting deeper than any document (lists and
# objects, up to the parser's own recursion limit and past it) and integers longer than
# any figure (up to Python's 4,300-digit limit and past it), each inside a plausible body.
_NEST = {"list": ("[", "]"), "object": ('{"a":', "}"), "messages": ('{"messages":[', "]}")}
DEEP_JSON_TEXT = st.builds(
    lambda depth, kind, leaf: _NEST[kind][0] * depth + leaf + _NEST[kind][1] * depth,
    st.one_of(st.integers(33, 200), st.integers(900, 1100), st.just(5000)), st.sampled_from(sorted(_NEST)),
    st.sampled_from(["1", '"x"', "null", "[]", "{}"]))
HUGE_INTEGER_TEXT = st.builds(lambda sign, digits: sign + "9" * digits, st.sampled_from(["", "-"]),
                              st.one_of(st.integers(65, 400), st.integers(4000, 4400)))
HOSTILE_JSON_TEXT = st.one_of(
    DEEP_JSON_TEXT,
    st.builds(lambda key, number: '{"%s": %s}' % (key, number),
              st.sampled_from(["value", "base_version", "position", "id", "status", "note", "role", "delegation",
                               "report", "messages"]), HUGE_INTEGER_TEXT),
    st.builds(lambda number: '{"messages": [{"id": "0123456789abcdef", "target": "report.summary", '
                             '"op": "set", "value": "x", "base_version": %s}]}' % number, HUGE_INTEGER_TEXT),
    st.builds(lambda deep: '{"id": "0123456789abcdef", "target": "difficulty", "op": "add", '
                           '"item": "abcdefgh12345678", "value": %s}' % deep, DEEP_JSON_TEXT))
DATE_TEXT = st.one_of(TEXT, st.dates().map(str), st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")))
FILE_BYTES = st.one_of(st.binary(max_size=300), st.just(world.png_bytes()),
                       st.binary(max_size=40).map(lambda b: world.png_bytes()[:30] + b),
                       st.sampled_from([b"%PDF-1.7\n%%EOF", b"PK\x03\x04garbage", b"\xff\xd8\xff\xe0broken",
                                        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"GIF89a", b"<svg onload=x>"]))
FILE_NAME = st.one_of(st.text(st.characters(exclude_characters='\r\n"\\', exclude_categories=("Cs", "Cc")),
                              min_size=1, max_size=40),
                      st.sampled_from(["../../etc/passwd", "a/b.jpg", "x.jpg\x00.txt", "..\\..\\w.ini", ".pdf"]))
UPLOAD = st.tuples(FILE_BYTES, FILE_NAME)

IMAGE = st.one_of(TEXT, st.just(world.png_base64()), st.binary(max_size=200).map(
    lambda b: "data:image/png;base64," + base64.b64encode(b).decode()),
    st.binary(max_size=60).map(lambda b: base64.b64encode(world.png_bytes()[:40] + b).decode()))
WORDING_KEYS = st.sampled_from(["report", "difficulties", "proposals", "opinions", "conclusion",
                                "recommendations", "nonsense", ""])


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


def fuzz_app(tmp_path_factory, demo_instance):
    """The module's app (a generator for a module-scoped fixture)."""
    app, ids, _ = world.world_app(tmp_path_factory, demo_instance, "fuzz", WTF_CSRF_ENABLED=False)
    fuzz = Fuzz(app, ids)
    # A draft of the editable visit, so its wording form has something to edit.
    assert fuzz.client().post(f"/api/v1/visits/{fuzz.ids['own']}/minutes/draft", headers=fuzz.admin).status_code == 200
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
