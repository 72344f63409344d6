"""The authorization matrix: every rule of the url_map and every API endpoint, for every
role, against ONE expectation table; the same routes with the ids of a foreign
delegation and unit answer 403/404 to everyone outside it. A new route without an
expectation fails the test, so the table stays complete.

Allowed means: a GET answers 2xx/3xx (not a redirect to the login page); a POST gets
past authorization (anything but 401/403/404 or the login page: a 400 or 409 from the
operation's own validation is still "allowed"). Denied means: 302 → /login for an
anonymous page, 401 JSON for the anonymous API, 403/404 for a signed-in user. A refusal
also leaves nothing behind: no new file in the instance's files folder, no new row in
any table, no audit entry."""
from __future__ import annotations

import io
import itertools

import pytest

from . import security_world as world
from .conftest import PASSWORDS

ANON, ADMIN, SEC, HEAD, MEMBER, HOST, OTHER_HOST, VIEWER = (
    "anonymous", "admin", "secretary", "head", "member", "host", "other_host", "viewer")
PUBLIC = frozenset(world.ROLES)
SIGNED_IN = PUBLIC - {ANON}
VIEW = frozenset({ADMIN, VIEWER, SEC, HEAD, MEMBER, HOST})  # the visit's delegation and its unit's host
EDIT = frozenset({ADMIN, SEC, HEAD, MEMBER})
PREPARE = frozenset({ADMIN, SEC, HEAD})
# The host's signature slot: the host of the visited unit, or the delegation's secretary
# collecting it on site (issue 14, item 6: members, heads and admins never sign for others).
SIGN_HOST = frozenset({SEC, HOST})
REPORT = frozenset({ADMIN, SEC, HEAD, MEMBER, HOST})  # delegation, the addressed unit's host, admins
ADMIN_ONLY = frozenset({ADMIN})
NONE = frozenset()
# Seen by everyone signed in, but scoped to what each may see (a host: their unit only).
FOREIGN_SCOPED_UNIT = frozenset({ADMIN, VIEWER, SEC, HEAD, MEMBER})
MANAGE_DELEGATIONS = frozenset({ADMIN, SEC})  # create; edit: a secretary only their own delegations
OWN_REPORT = frozenset({ADMIN, SEC})  # a follow-up report the secretary prepared
HOST_ONLY = frozenset({HOST})  # the visited unit's host
REPORT_VIEW = frozenset({ADMIN, VIEWER, SEC, HEAD, MEMBER})  # a delegation's survey report in any state
COMMITTEE = frozenset({SEC, HEAD})  # sign (the head, or the secretary collecting) and publish the report

PNG = world.png_base64()


_UPLOADS = itertools.count(1)


def _fresh_png() -> bytes:
    """Content never sent before, so a file left by a refusal is a new file."""
    n = next(_UPLOADS)
    return world.png_bytes((n % 256, n // 256 % 256, 77))


def _photo_upload():
    return {"data": {"item": "matrix-photo-0001", "caption": "ảnh", "file": (io.BytesIO(_fresh_png()), "anh.png")}}


def _report_upload():
    """Not a PDF or DOCX: past authorization it is refused (400), and nothing is kept."""
    return {"data": {"file": (io.BytesIO(_fresh_png()), "bao-cao.pdf")}}


def _evidence_update():
    return {"data": {"note": "ghi chú", "evidence": (io.BytesIO(_fresh_png()), "minh-chung.png")}}


# endpoint: (path template, roles that may GET, roles that may POST, POST body)
# {visit} the editable demo visit, {frozen} a demo visit with final minutes, {rec},
# {evidence}, {photo}, {unit} objects of the demo visit; {calendar} a live feed token.
# In a body, a string "{name}" stands for the world's object of that name (no fixed ids).
TABLE = {
    "shell.index": ("/", SIGNED_IN, NONE, None),
    "shell.health": ("/healthz", PUBLIC, NONE, None),
    "static": ("/static/css/app.css", PUBLIC, NONE, None),
    "vendor.asset": ("/vendor/signature_pad.js", PUBLIC, NONE, None),
    "offline.service_worker": ("/sw.js", PUBLIC, NONE, None),
    "offline.manifest": ("/manifest.webmanifest", PUBLIC, NONE, None),
    "offline.token": ("/offline/token", SIGNED_IN, NONE, None),
    "auth.login": ("/login", PUBLIC, PUBLIC, {"data": {"username": ""}}),
    "auth.logout": ("/logout", NONE, SIGNED_IN, {}),
    "verify.page": ("/verify", PUBLIC, PUBLIC, {}),
    "admin.users": ("/admin/users", ADMIN_ONLY, ADMIN_ONLY, {"data": {"username": ""}}),
    "admin.user_action": ("/admin/users/action", NONE, ADMIN_ONLY, {"data": {"action": "none"}}),
    # user 1 is the demo's admin; an empty role or password is refused past authorization
    "admin.edit_user": ("/admin/users/1", ADMIN_ONLY, ADMIN_ONLY, {"data": {"role": ""}}),
    "admin.reset_password": ("/admin/users/1/password", NONE, ADMIN_ONLY, {"data": {"password": ""}}),
    "auth.change_password": ("/password", SIGNED_IN, SIGNED_IN, {"data": {"current_password": ""}}),
    "minutes.certificate": ("/admin/certificate", ADMIN_ONLY, ADMIN_ONLY, {}),
    "audit.index": ("/admin/audit/", ADMIN_ONLY, NONE, None),
    "audit.export": ("/admin/audit/audit.csv", ADMIN_ONLY, NONE, None),
    "forms_admin.index": ("/admin/forms", ADMIN_ONLY, NONE, None),
    "forms_admin.preview_upload": ("/admin/forms/preview", NONE, ADMIN_ONLY, {"data": {}}),
    "forms_admin.preview": ("/admin/forms/ttpvhcc-xa/preview", ADMIN_ONLY, NONE, None),
    "forms_admin.publish": ("/admin/forms/publish", NONE, ADMIN_ONLY, {"data": {}}),
    # an unknown form id: past authorization it is a 400, and no demo form is retired
    "forms_admin.retire": ("/admin/forms/no-such-form/retire", NONE, ADMIN_ONLY, {}),
    "forms_admin.reinstate": ("/admin/forms/no-such-form/reinstate", NONE, ADMIN_ONLY, {}),
    "forms_admin.download": ("/admin/forms/ttpvhcc-xa.xlsx", ADMIN_ONLY, NONE, None),
    "directory.index": ("/delegations/", MANAGE_DELEGATIONS, NONE, None),
    "directory.new": ("/delegations/new", MANAGE_DELEGATIONS, MANAGE_DELEGATIONS, {"data": {"name": ""}}),
    "directory.edit": ("/delegations/{delegation}/edit", MANAGE_DELEGATIONS, MANAGE_DELEGATIONS,
                       {"data": {"name": ""}}),
    "plans.index": ("/delegations/plans", PREPARE, NONE, None),
    "plans.page": ("/delegations/{delegation}/plan", PREPARE, PREPARE, {"data": {}}),
    # the plan and the outline: the delegation's people, and the host of a unit in its schedule
    "plans.plan_file": ("/delegations/{delegation}/plan.pdf", VIEW, NONE, None),
    "plans.outline_file": ("/delegations/{delegation}/outline.docx?form=ttpvhcc-xa", VIEW, NONE, None),
    "units.index": ("/units/", ADMIN_ONLY, NONE, None),
    "units.search": ("/units/search?q=xa", SIGNED_IN, NONE, None),  # scoped: a host finds only their unit
    "units.new": ("/units/new", ADMIN_ONLY, ADMIN_ONLY, {"data": {"name": ""}}),
    "units.edit": ("/units/{unit}/edit", ADMIN_ONLY, ADMIN_ONLY, {"data": {"name": ""}}),
    "units.merge": ("/units/{unit}/merge", NONE, ADMIN_ONLY, {"data": {"into": ""}}),
    "units.import_units": ("/units/import", ADMIN_ONLY, ADMIN_ONLY, {"data": {}}),
    "visits.index": ("/visits", SIGNED_IN, NONE, None),
    "visits.new": ("/visits/new", PREPARE, PREPARE, {"data": {"unit": ""}}),
    "visits.from_device": ("/visits/from-device", NONE, PREPARE, {"json": {"uuid": "matrix-device-1", "delegation": "{own_delegation}"}}),
    "visits.show": ("/visits/{visit}", VIEW, NONE, None),
    "visits.blank_capture": ("/visits/blank/ttpvhcc-xa/capture", PREPARE, NONE, None),
    "visits.local_capture": ("/visits/local/{uuid}/capture", VIEW, NONE, None),  # redirects once synced
    "visits.capture": ("/visits/{visit}/capture", VIEW, NONE, None),
    "visits.changes": ("/visits/{visit}/changes", NONE, EDIT, {"json": {"id": "x"}}),
    "visits.live_changes": ("/visits/{visit}/capture/changes", NONE, EDIT, {"json": {"since": 0, "section": "report"}}),
    "visits.upload_photo": ("/visits/{visit}/photos", NONE, EDIT, _photo_upload),
    "visits.photo": ("/visits/{visit}/photos/{photo}", VIEW, NONE, None),
    "visits.use_original_photo": ("/visits/{visit}/photos/{photo}/original", NONE, EDIT, {}),
    "minutes.page": ("/visits/{frozen}/minutes", VIEW, NONE, None),
    "minutes.draft": ("/visits/{frozen}/minutes/draft", NONE, PREPARE, {}),
    "minutes.finalize": ("/visits/{frozen}/minutes/finalize", NONE, PREPARE, {}),
    "minutes.correction": ("/visits/{frozen}/minutes/correction", NONE, PREPARE, {}),
    "minutes.signatories": ("/visits/{frozen}/minutes/signatories", NONE, PREPARE, {}),
    "minutes.wording": ("/visits/{frozen}/minutes/wording", PREPARE, PREPARE, {}),
    "minutes.sign": ("/visits/{frozen}/minutes/sign", VIEW, NONE, None),
    "minutes.sign_role": ("/visits/{frozen}/minutes/sign/host", NONE, SIGN_HOST,
                          {"data": {"host-name": "Trần Văn Hùng", "host-image": PNG}}),
    "minutes.download": ("/visits/{frozen}/minutes/v1.pdf", VIEW, NONE, None),
    "minutes.page_image": ("/visits/{frozen}/minutes/v1/page-1.png", VIEW, NONE, None),
    "followup.board": ("/followup/", SIGNED_IN, NONE, None),
    "followup.stylesheet": ("/followup/style.css", SIGNED_IN, NONE, None),
    "followup.chart_closed": ("/followup/charts/closed.svg", SIGNED_IN, NONE, None),
    "followup.chart_status_by_unit": ("/followup/charts/status-by-unit.svg", SIGNED_IN, NONE, None),
    "followup.detail": ("/followup/r/{rec}", VIEW, NONE, None),
    "followup.calendar_month": ("/followup/calendar/2026-01", SIGNED_IN, NONE, None),
    "followup.post_update": ("/followup/r/{rec}/updates", NONE, REPORT, _evidence_update),
    "followup.post_decision": ("/followup/r/{rec}/decision", NONE, PREPARE, {"data": {"decision": "accept"}}),
    "followup.evidence": ("/followup/evidence/{evidence}", VIEW, NONE, None),
    "followup.unit": ("/followup/units/{unit}", VIEW | FOREIGN_SCOPED_UNIT, NONE, None),
    "followup_docs.report_form": ("/followup/report", SIGNED_IN, NONE, None),
    "followup_docs.report_file": ("/followup/report.csv", SIGNED_IN, NONE, None),
    "followup_docs.reminder_page": ("/followup/reminders", SIGNED_IN, NONE, None),
    # issued follow-up reports: prepared by a secretary, a head or an admin; a report is
    # its preparer's (the secretary's here) and the admins'
    "followup_docs.reports_page": ("/followup/reports", PREPARE, PREPARE, {}),
    "followup_docs.report_page": ("/followup/reports/{report}", OWN_REPORT, OWN_REPORT,
                                  {"data": {"signer_name": "Đinh Ly An"}}),
    "followup_docs.report_finalize": ("/followup/reports/{report}/finalize", NONE, OWN_REPORT, {}),
    "followup_docs.report_seal": ("/followup/reports/{report}/seal", NONE, OWN_REPORT, {}),
    "followup_docs.report_download": ("/followup/reports/{report}.pdf", OWN_REPORT, NONE, None),
    "followup_docs.calendar_page": ("/followup/calendar", SIGNED_IN, SIGNED_IN, {}),
    "followup_docs.calendar_feed": ("/followup/calendar/{calendar}.ics", PUBLIC, NONE, None),
    # The JSON API (bearer token).
    "api.me": ("/api/v1/me", SIGNED_IN, NONE, None),
    "api.openapi": ("/api/v1/openapi.json", SIGNED_IN, NONE, None),
    "api.import_visit": ("/api/v1/visits", NONE, EDIT, {"json": {}}),
    "api.get_visit": ("/api/v1/visits/{visit}", VIEW, NONE, None),
    "api.post_changes": ("/api/v1/visits/{visit}/changes", NONE, EDIT, {"json": {"id": "x"}}),
    "api.post_photo": ("/api/v1/visits/{visit}/photos", NONE, EDIT, {"data": {}}),
    "api_minutes.list_versions": ("/api/v1/visits/{frozen}/minutes", VIEW, NONE, None),
    "api_minutes.latest_pdf": ("/api/v1/visits/{frozen}/minutes.pdf", VIEW, NONE, None),
    "api_minutes.version_pdf": ("/api/v1/visits/{frozen}/minutes/1.pdf", VIEW, NONE, None),
    "api_minutes.draft": ("/api/v1/visits/{frozen}/minutes/draft", NONE, PREPARE, {}),
    "api_minutes.wording": ("/api/v1/visits/{frozen}/minutes/wording", NONE, PREPARE, {"json": {}}),
    "api_minutes.finalize": ("/api/v1/visits/{frozen}/minutes/finalize", NONE, PREPARE, {}),
    "api_minutes.correction": ("/api/v1/visits/{frozen}/minutes/correction", NONE, PREPARE, {}),
    "api_minutes.signatures": ("/api/v1/visits/{frozen}/minutes/signatures", NONE, SIGN_HOST,
                               {"json": {"role": "host", "name": "Trần Văn Hùng", "image": PNG}}),
    "api_minutes.verify": ("/api/v1/verify", NONE, SIGNED_IN, {"data": b"not a pdf"}),
    "api_audit.list_entries": ("/api/v1/audit", ADMIN_ONLY, NONE, None),
    "api_followup.list_recommendations": ("/api/v1/recommendations", SIGNED_IN, NONE, None),
    "api_followup.get_recommendation": ("/api/v1/recommendations/{rec}", VIEW, NONE, None),
    "api_followup.post_update": ("/api/v1/recommendations/{rec}/updates", NONE, REPORT, {"json": {"note": "ghi"}}),
    "api_followup.post_evidence": ("/api/v1/recommendations/{rec}/evidence", NONE, REPORT, {"data": {}}),
    "api_directory.list_delegations": ("/api/v1/delegations", SIGNED_IN, NONE, None),
    "api_directory.create_delegation": ("/api/v1/delegations", NONE, MANAGE_DELEGATIONS, {"json": {}}),
    "api_directory.update_delegation": ("/api/v1/delegations/{delegation}", NONE, NONE, None),  # PATCH below
    "api_directory.list_visits": ("/api/v1/visits", SIGNED_IN, NONE, None),
    # The unit's own report: only its unit's host writes it; the others get 404 (issue 12, item 5).
    "unit_reports.index": ("/unit-reports/", SIGNED_IN, NONE, None),
    "unit_reports.page": ("/visits/{visit}/unit-report", VIEW, NONE, None),
    "unit_reports.autosave": ("/visits/{visit}/unit-report/save", NONE, HOST_ONLY, {"json": {"summary": 5}}),
    "unit_reports.upload": ("/visits/{visit}/unit-report/attachment", NONE, HOST_ONLY, _report_upload),
    "unit_reports.attachment": ("/visits/{visit}/unit-report/file", VIEW, NONE, None),  # none yet: the page
    "api_unit_reports.report": ("/api/v1/visits/{visit}/unit-report", VIEW, NONE, None),  # PUT below
    "api_plans.plan_visit": ("/api/v1/delegations/{delegation}/visits", NONE, PREPARE, {"json": {}}),
    "api_units.list_units": ("/api/v1/units", SIGNED_IN, NONE, None),
    "api_units.create_unit": ("/api/v1/units", NONE, ADMIN_ONLY, {"json": {}}),
    # The survey report ({survey}: a delegation of the demo's members whose report is
    # final and published) and the public pages of published reports.
    "api_survey_report.report_pdf": ("/api/v1/delegations/{survey}/report.pdf", REPORT_VIEW, NONE, None),
    "api_survey_report.report_docx": ("/api/v1/delegations/{survey}/report.docx", REPORT_VIEW, NONE, None),
    "api_survey_report.wording": ("/api/v1/delegations/{survey}/report/wording", NONE, PREPARE, {"json": {}}),
    "api_survey_report.finalize": ("/api/v1/delegations/{survey}/report/finalize", NONE, PREPARE, {}),
    "api_survey_report.signatures": ("/api/v1/delegations/{survey}/report/signatures", NONE, COMMITTEE,
                                     {"json": {"role": "signer", "name": "Đinh Ly An", "image": PNG}}),
    "api_survey_report.publish": ("/api/v1/delegations/{survey}/report/publish", NONE, COMMITTEE, {}),
    "api_survey_report.unpublish": ("/api/v1/delegations/{survey}/report/unpublish", NONE, COMMITTEE,
                                    {"json": {}}),  # no reason: refused after authorization, still published
    "survey_report.page": ("/delegations/{survey}/report", REPORT_VIEW, PREPARE, {"data": {}}),
    "survey_report.download_pdf": ("/delegations/{survey}/report.pdf", REPORT_VIEW, NONE, None),
    "survey_report.download_docx": ("/delegations/{survey}/report.docx", REPORT_VIEW, NONE, None),
    "survey_report.finalize": ("/delegations/{survey}/report/finalize", NONE, PREPARE, {}),
    "survey_report.sign": ("/delegations/{survey}/report/sign", REPORT_VIEW, NONE, None),
    # no signature drawn: refused after authorization (flashed), nothing signed
    "survey_report.sign_signer": ("/delegations/{survey}/report/sign", NONE, COMMITTEE, {"data": {}}),
    "survey_report.page_image": ("/delegations/{survey}/report/v1/page-1.png", REPORT_VIEW, NONE, None),
    "survey_report.publish": ("/delegations/{survey}/report/publish", NONE, COMMITTEE, {}),
    "survey_report.unpublish": ("/delegations/{survey}/report/unpublish", NONE, COMMITTEE, {"data": {}}),
    "public.index": ("/public/", PUBLIC, NONE, None),
    "public.report": ("/public/reports/{public_report}", PUBLIC, NONE, None),
    "public.report_json": ("/public/reports/{public_report}.json", PUBLIC, NONE, None),
    "public.report_pdf": ("/public/reports/{public_report}.pdf", PUBLIC, NONE, None),
    "public.feed": ("/public/feed.atom", PUBLIC, NONE, None),
}
# endpoint: (roles that may PATCH, PATCH body); the path is TABLE's.
PATCH = {
    "api_directory.update_delegation": (MANAGE_DELEGATIONS, {"json": {}}),
}
# endpoint: (roles that may PUT, PUT body); the path is TABLE's.
PUT = {
    "api_unit_reports.report": (HOST_ONLY, {"json": {"summary": 5}}),
}
OWN = {"visit": "own", "frozen": "frozen", "rec": "own_rec", "evidence": "own_evidence",
       "photo": "own_photo", "unit": "own_unit", "uuid": "own_uuid", "delegation": "own_delegation",
       "report": "own_report",
       "survey": "report_delegation"}
FOREIGN = {"visit": "foreign", "frozen": "foreign", "rec": "foreign_rec", "evidence": "foreign_evidence",
           "photo": "foreign_photo", "unit": "foreign_unit", "uuid": "foreign_uuid",
           "delegation": "foreign_delegation", "report": "foreign_report", "survey": "foreign_delegation"}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, demo_instance):
    # CSRF is off here on purpose: this is about who may, CSRF has its own test.
    app, ids, _ = world.world_app(tmp_path_factory, demo_instance, "matrix", WTF_CSRF_ENABLED=False)
    store = app.extensions["survey_store"]
    yield app, ids, world.tokens(store)
    store.close()


def _client(app, role):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    if role != ANON:
        username = world.ROLES[role]
        response = client.post("/login", data={"username": username, "password": PASSWORDS[username]})
        assert response.status_code == 302
    return client


def _filled(body, ids):
    """The body with each "{name}" string replaced by the world's object `ids[name]`."""
    if isinstance(body, dict):
        return {key: _filled(value, ids) for key, value in body.items()}
    if isinstance(body, str) and body[:1] == "{" and body[-1:] == "}" and body[1:-1] in ids:
        return ids[body[1:-1]]
    return body


def _call(client, method, path, body, token):
    kwargs = dict((body() if callable(body) else body) or {})
    headers = world.bearer(token) if path.startswith("/api/") else {}
    return client.open(path, method=method, headers=headers, **kwargs)


def _verdict(response, path) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    to_login = status in (302, 303) and "/login" in location
    if path == "/logout" and to_login and "next=" not in location:  # its own answer
        return "allow"
    if status in (401, 403, 404) or to_login:
        return "deny"
    return "allow"


def _traces(app) -> dict:
    """What a request could leave behind: the row count of every table (the audit log
    among them) and every file of the instance's files folder with its size."""
    db, folder = app.extensions["survey_store"].db, app.extensions["survey_files"]
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%'")]
    rows = {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    files = {str(path.relative_to(folder)): path.stat().st_size for path in folder.rglob("*") if path.is_file()}
    return {"rows": rows, "files": files}


def _check_no_traces(before: dict, after: dict, where) -> None:
    new_files = sorted(set(after["files"]) - set(before["files"]))
    assert new_files == [], (where, "a refused request left files", new_files)
    changed = {t: (before["rows"].get(t), n) for t, n in after["rows"].items() if before["rows"].get(t) != n}
    assert "audit_log" not in changed, (where, "a refused request was audited", changed)
    assert changed == {}, (where, "a refused request changed rows", changed)


def _check_deny(response, role, path):
    status = response.status_code
    if role == ANON and path.startswith("/api/"):
        assert status == 401 and response.get_json()["field"] == "Authorization"
    elif role == ANON:
        assert status == 302 and "/login" in response.headers["Location"]
    else:
        assert status in (403, 404)


def test_every_route_has_an_expectation(matrix):
    app, _, _ = matrix
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(TABLE) == set(), "new routes need a line in TABLE"
    assert set(TABLE) - endpoints == set(), "TABLE names routes that no longer exist"
    for rule in app.url_map.iter_rules():
        path, get_roles, post_roles, _ = TABLE[rule.endpoint]
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert ("GET" in methods) == bool(get_roles) or rule.endpoint == "auth.logout", rule.endpoint
        assert ("POST" in methods) == (post_roles is not NONE and bool(post_roles)), rule.endpoint
        assert ("PATCH" in methods) == (rule.endpoint in PATCH), rule.endpoint
        assert ("PUT" in methods) == (rule.endpoint in PUT), rule.endpoint
        assert methods <= {"GET", "POST", "PATCH", "PUT"}, rule.endpoint


def _run(app, ids, tokens, role, names: dict, expected_for):
    client = _client(app, role)
    mismatches = []
    concrete = {key: ids.get(value, value) for key, value in names.items()} | {
        "calendar": ids["calendar"], "public_report": ids["public_report"]}
    for endpoint, (template, get_roles, post_roles, body) in TABLE.items():
        path = template.format(**concrete)
        patch = (("PATCH", PATCH[endpoint][0]),) if endpoint in PATCH else ()
        put = (("PUT", PUT[endpoint][0]),) if endpoint in PUT else ()
        for method, roles in (("GET", get_roles), ("POST", post_roles), *patch, *put):
            if method in ("PATCH", "PUT"):
                body = (PATCH if method == "PATCH" else PUT)[endpoint][1]
            if method == "POST" and body is None:
                continue
            if method == "GET" and not get_roles:
                continue
            expected = "allow" if role in expected_for(template, roles) else "deny"
            before = _traces(app) if expected == "deny" else None
            response = _call(client, method, path, _filled(body, ids), tokens.get(role))
            got = _verdict(response, path)
            if got != expected:
                mismatches.append((endpoint, method, path, expected, response.status_code))
            elif got == "deny":
                _check_deny(response, role, path)
                _check_no_traces(before, _traces(app), (endpoint, method, role))
            elif method == "GET":
                assert response.status_code < 400, (endpoint, role)
            assert response.status_code < 500, (endpoint, method, role, response.get_data(as_text=True)[:500])
            if endpoint == "auth.logout" and role != ANON:
                client = _client(app, role)
    return mismatches


@pytest.mark.parametrize("role", list(world.ROLES))
def test_matrix_on_the_demo_delegation(matrix, role):
    app, ids, tokens = matrix
    mismatches = _run(app, ids, tokens, role, OWN, lambda template, roles: roles)
    assert mismatches == [], "\n".join(map(str, mismatches))


def _foreign_expectation(template, roles):
    """Objects of another delegation and unit: only those who see everything (admin,
    and the viewer for reading) reach them; pages without an id keep their rule."""
    if "{" not in template or "{calendar}" in template or "{public_report}" in template:
        return roles
    if "{unit}" in template:
        return roles & FOREIGN_SCOPED_UNIT
    return roles & {ADMIN, VIEWER} if roles is not NONE else roles


@pytest.mark.parametrize("role", [r for r in world.ROLES if r not in (ADMIN, VIEWER, ANON)])
def test_foreign_objects_are_never_reachable_by_changing_an_id(matrix, role):
    app, ids, tokens = matrix
    mismatches = _run(app, ids, tokens, role, FOREIGN, _foreign_expectation)
    assert mismatches == [], "\n".join(map(str, mismatches))
    client = _client(app, role)
    by_uuid = client.post("/visits/from-device", json={"uuid": ids["foreign_uuid"]})
    assert by_uuid.status_code in (403, 404), "a visit's id is not given away by its uuid"
    listing = client.get("/api/v1/recommendations", headers=world.bearer(tokens[role])).get_json()
    assert ids["foreign_rec"] not in {r["id"] for r in listing["recommendations"]}  # nor do the lists
    visits = client.get("/visits").get_data(as_text=True)
    assert f"/visits/{ids['foreign']}" not in visits
    unit_page = client.get(f"/followup/units/{ids['foreign_unit']}")
    assert "Đoàn khảo sát khác" not in unit_page.get_data(as_text=True)


PLAN = {"unit": "UBND xã Hra", "form": "ttpvhcc-xa", "started_at": "2025-11-03T08:00:00+07:00", "place": "Hội trường"}


@pytest.mark.parametrize("role", [r for r in world.ROLES if r != ANON])
def test_a_planner_plans_only_for_their_own_delegation(matrix, role):
    """The head and the secretary of the demo delegation plan its visits, never another
    delegation's (issue 15 finding 1); only the admin plans for any; a refusal leaves no
    visit, no row, no audit entry."""
    app, ids, _ = matrix
    client = _client(app, role)
    before = _traces(app)
    foreign = client.post("/visits/from-device",
                          json={**PLAN, "uuid": f"plan-foreign-{role}", "delegation": ids["foreign_delegation"]})
    if role == ADMIN:
        assert foreign.status_code == 201, foreign.get_data(as_text=True)
    else:
        assert foreign.status_code in (403, 404), (role, foreign.status_code, foreign.get_data(as_text=True))
        _check_no_traces(before, _traces(app), ("from-device, foreign delegation", role))
    own = client.post("/visits/from-device",
                      json={**PLAN, "uuid": f"plan-own-{role}", "delegation": ids["own_delegation"]})
    assert (own.status_code == 201) == (role in PREPARE), (role, own.status_code, own.get_data(as_text=True))
    form = client.get("/visits/new")
    if role in PREPARE:
        page = form.get_data(as_text=True)
        assert "Đoàn khảo sát khác" not in page or role == ADMIN  # the form offers only their delegations
        before = _traces(app)
        posted = client.post("/visits/new", data={**PLAN, "started_at": "2025-11-03T08:00",
                                                  "delegation": ids["foreign_delegation"]})
        if role != ADMIN:
            assert posted.status_code in (400, 403), (role, posted.status_code)
            _check_no_traces(before, _traces(app), ("plan page, foreign delegation", role))
