"""Messages officials can act on (issue 19 item 3): real refusals, through the API and
the pages, read as the glossary asks: Vietnamese, polite ("Vui lòng …"), a code's label
instead of the code ('open', 'host', '--unit'), dates as 13/10/2025, no library text and
never the word "CSRF"; in English the same refusal names the labels in English."""
from __future__ import annotations

import html
import io
import re
import uuid

import pytest

from survey_app.demo import seed_document
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token, make_app

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
CODES = re.compile(r"'(open|in_progress|done|not_done|dropped|host|head|deputy|member|secretary|admin|"
                   r"khao_sat|giam_sat|draft|final)'|--\w+|\((draft|open|host)\)")
LIBRARY = re.compile(r"CSRF|deserializ|PKCS12 data|Traceback|Exception|Error\b|The (browser|server)|"
                     r"Bad Request|Method Not Allowed|Unsupported Media", re.I)


def readable(message: str, api: bool = False) -> str:
    """`message` checked as an official can act on it; returned for further asserts. The
    API may follow a label with the code its client sends ("Đã hoàn thành ('done')")."""
    assert VIETNAMESE.search(message), message
    assert not ISO_DATE.search(message), message
    if api:
        message = re.sub(r" \('\w+'\)", "", message)
    assert not CODES.search(message), message
    assert not LIBRARY.search(message), message
    return message


def english(message: str) -> str:
    assert not VIETNAMESE.search(message), message
    assert not CODES.search(message) and not LIBRARY.search(message) and not ISO_DATE.search(message), message
    return message


def page_message(response) -> str:
    """The refusal text of a page: its error paragraphs (or the error page's message)."""
    text = response.get_data(as_text=True)
    found = re.findall(r'class="error-text"[^>]*>(.*?)</p>', text, re.S) or \
        re.findall(r"</h1>\s*<p>(.*?)</p>", text, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(found)))


def test_a_deadline_before_the_visit_gives_both_dates_as_13_10_2025(client, token, store):
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])
    message = {"id": str(uuid.uuid4()), "target": "recommendation", "op": "add", "item": str(uuid.uuid4()),
               "value": {"text": "Kiến nghị", "due": "2025-10-01"}}
    refused = client.post(f"/api/v1/visits/{visit['id']}/changes", json=message, headers=token("thuky"))
    assert refused.status_code == 400
    text = readable(refused.get_json()["error"])
    visit_day = visit["started_at"][:10].split("-")
    assert "01/10/2025" in text and "/".join(reversed(visit_day)) in text and "Vui lòng" in text


def test_a_refused_status_change_names_the_statuses_by_their_labels(client, token):
    headers = token("thuky")
    items = client.get("/api/v1/recommendations", headers=headers).get_json()
    item = next(i for i in (items["recommendations"] if isinstance(items, dict) else items) if i["status"] == "open")
    url = f"/api/v1/recommendations/{item['id']}/updates"
    assert client.post(url, json={"status": "not_done", "note": "Chưa bố trí kinh phí"},
                       headers=headers).status_code == 201
    refused = client.post(url, json={"status": "open"}, headers=headers)
    assert refused.status_code == 400 and refused.get_json()["field"] == "status"
    assert "('not_done')" in refused.get_json()["error"]  # the API's client sent codes: it reads them too
    text = readable(refused.get_json()["error"], api=True)
    assert "“Chưa thực hiện”" in text and "Đang thực hiện" in text and "Vui lòng" in text
    again = client.post(url + "?lang=en", json={"status": "open"}, headers={**headers, "Accept-Language": "en"})
    assert "In progress ('in_progress')" in again.get_json()["error"]
    assert not VIETNAMESE.search(again.get_json()["error"])


def test_a_page_names_the_statuses_by_their_labels_only(client, login_as):
    login_as("thuky")
    refused = client.get("/followup/", query_string={"status": "finished"})
    assert refused.status_code == 400
    text = readable(page_message(refused))
    assert "Vui lòng chọn một trong: Chưa thực hiện, Đang thực hiện" in text and "('" not in text
    english_page = client.get("/followup/", query_string={"status": "finished", "lang": "en"})
    assert "Please choose one of: Not started, In progress" in english(page_message(english_page))


def test_a_host_account_without_a_unit_is_asked_for_the_unit_in_words(client, login_as):
    login_as("admin")
    refused = client.post("/admin/users", data={"username": "daidien2", "password": "mat-khau-dai",
                                                "role": "host", "unit": "",
                                                "csrf_token": csrf_token(client, "/admin/users")})
    assert refused.status_code == 400
    text = readable(page_message(refused))
    assert "đại diện đơn vị được khảo sát" in text.lower() and "Vui lòng nhập đơn vị" in text


def test_a_file_that_is_no_p12_gives_our_message_not_the_librarys(client, login_as):
    """Before: "… không phải khóa RSA): Could not deserialize PKCS12 data"."""
    login_as("admin")
    p12 = b"not a pkcs12 file"
    refused = client.post("/admin/certificate", data={
        "p12": (io.BytesIO(p12), "cert.p12"), "passphrase": "wrong",
        "csrf_token": csrf_token(client, "/admin/certificate")}, content_type="multipart/form-data")
    assert refused.status_code == 400
    text = readable(page_message(refused))
    assert "Vui lòng kiểm tra mật khẩu" in text


def test_a_delegation_with_unknown_kind_and_position_is_told_the_labels(client, token):
    headers = token("admin")
    body = {"name": "Đoàn thử", "body": "Ban Pháp chế HĐND tỉnh", "kind": "thanh_tra",
            "members": [{"name": "Nguyễn Văn A", "role": "head"}]}
    refused = client.post("/api/v1/delegations", json=body, headers=headers)
    assert refused.status_code == 400
    assert "Đoàn khảo sát hoặc Đoàn giám sát" in readable(refused.get_json()["error"], api=True)
    body = {**body, "kind": "giam_sat", "members": [{"name": "Nguyễn Văn A", "role": "chief"}]}
    refused = client.post("/api/v1/delegations", json=body, headers=headers)
    assert refused.status_code == 400
    assert "Phó Trưởng đoàn" in readable(refused.get_json()["error"], api=True)


@pytest.fixture
def csrf_client(tmp_path, demo_instance):
    """An app with CSRF checked, as in production."""
    import shutil
    shutil.copytree(demo_instance, tmp_path / "instance")
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    yield client
    app.extensions["survey_store"].close()


def test_a_form_without_its_token_says_the_session_expired_never_csrf(csrf_client):
    refused = csrf_client.post("/login", data={"username": "thuky", "password": "x"})
    assert refused.status_code == 400
    text = readable(page_message(refused))
    assert "Phiên làm việc đã hết hạn, vui lòng tải lại trang và thử lại." in text
    assert "CSRF" not in refused.get_data(as_text=True).replace('name="csrf_token"', "")
    english_page = csrf_client.post("/login?lang=en", data={"username": "thuky", "password": "x"})
    assert "session has expired" in english(page_message(english_page))


def test_werkzeug_descriptions_never_reach_a_user(client, token):
    wrong_method = client.delete("/api/v1/delegations", headers=token("admin"))
    assert wrong_method.status_code == 405
    readable(wrong_method.get_json()["error"])
    wrong_type = client.post("/api/v1/delegations", data="name=x", headers={**token("admin"),
                             "Content-Type": "application/x-www-form-urlencoded"})
    assert 400 <= wrong_type.status_code < 500
    readable(wrong_type.get_json()["error"])


def test_a_figure_out_of_range_is_asked_again_politely_in_both_languages(client, token, store):
    """Before: "giá trị không được lớn hơn 100", an untranslated f-string."""
    from .test_visit_pages import field_version
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])["id"]
    path = "indicators.on_time_rate_pct"
    message = {"id": str(uuid.uuid4()), "target": path, "op": "set", "value": 100.5,
               "base_version": field_version(store, visit, path)}
    refused = client.post(f"/api/v1/visits/{visit}/changes", json=message, headers=token("thuky"))
    assert refused.status_code == 400 and refused.get_json()["field"] == path
    assert readable(refused.get_json()["error"]) == "Vui lòng nhập giá trị không lớn hơn 100."
    english_answer = client.post(f"/api/v1/visits/{visit}/changes?lang=en", json={**message, "id": str(uuid.uuid4())},
                                 headers={**token("thuky"), "Accept-Language": "en"})
    assert english(english_answer.get_json()["error"]) == "Please enter a value not above 100."


def test_a_bound_is_written_as_the_readers_language_writes_numbers(app):
    """Before: the bound was formatted once, in Vietnamese: "not below 0,5" in English."""
    from survey_app.checklists.spec import Indicator, check_indicator
    from survey_app.checklists.types import AnswerError
    from survey_app.domain.errors import DomainError
    from survey_app.web.errors import refusal_text
    rate = Indicator("rate", "Tỷ lệ", "Rate", "%", min=0.5, max=1234.5)
    refusals = []
    for value in (0.25, 2000):
        with pytest.raises(AnswerError) as refused:
            check_indicator(rate, value)
        refusals.append(DomainError(refused.value.template, "indicators.rate", **refused.value.params))
    with app.test_request_context("/?lang=vi"):
        assert [readable(refusal_text(e)) for e in refusals] == [
            "Vui lòng nhập giá trị không nhỏ hơn 0,5.", "Vui lòng nhập giá trị không lớn hơn 1.234,5."]
    with app.test_request_context("/?lang=en"):
        assert [english(refusal_text(e)) for e in refusals] == [
            "Please enter a value not below 0.5.", "Please enter a value not above 1,234.5."]


def test_an_api_refusal_names_the_field_in_words_and_keeps_the_key_in_field(client, token, store):
    """Before: "'difficulties' phải là một danh sách", "Thiếu 'target'", "'op' phải là một trong: set, …"."""
    from survey_app.domain.visits.operations import plan_visit
    from .support import seed_visit, user
    forms = client.application.extensions["survey_forms"]
    visit = plan_visit(store, forms, user(store, "thuky"), delegation_id=seed_visit(store)["delegation_id"],
                       unit="UBND xã Hra", form_id="ttpvhcc-xa", started_at="2026-12-10T08:00:00+07:00", place="Hội trường")
    url = f"/api/v1/visits/{visit}/unit-report"
    for lang, words in (("vi", "“Khó khăn, vướng mắc”"), ("en", "“Difficulties and obstacles”")):
        refused = client.put(f"{url}?lang={lang}", json={"difficulties": "không phải danh sách"},
                             headers={**token("xahra"), "If-Match": '"0"'})
        assert refused.status_code == 400 and refused.get_json()["field"] == "difficulties"
        text = refused.get_json()["error"]
        assert words in (readable(text) if lang == "vi" else english(text)) and "'difficulties'" not in text
    refused = client.put(f"{url}?lang=vi", json={"proposals": [{"text": " "}]},
                         headers={**token("xahra"), "If-Match": '"0"'})
    assert refused.get_json()["field"] == "proposals[0].text"
    assert readable(refused.get_json()["error"]) == "Vui lòng nhập nội dung cho mục 1 của “Đề xuất, kiến nghị của đơn vị”."
    changes = f"/api/v1/visits/{visit}/changes"
    refused = client.post(changes, json={"id": str(uuid.uuid4()), "target": "report.summary", "op": "replace"},
                          headers=token("thuky"))
    assert refused.status_code == 400 and refused.get_json()["field"] == "op"
    assert "thêm mục ('add')" in refused.get_json()["error"]  # the API's client sent a code: it reads the codes
    readable(refused.get_json()["error"], api=True)
    refused = client.post(changes, json={"id": str(uuid.uuid4()), "op": "set", "value": 1}, headers=token("thuky"))
    assert refused.get_json()["field"] == "target" and "'target'" not in readable(refused.get_json()["error"])


def test_a_page_argument_is_named_in_words(client, login_as):
    login_as("thuky")
    refused = client.get("/followup/", query_string={"page": "abc"})
    assert refused.status_code == 400
    assert "“Số trang”" in readable(page_message(refused)) and "'page'" not in page_message(refused)
    english_page = client.get("/followup/", query_string={"page": "abc", "lang": "en"})
    assert "“Page number”" in english(page_message(english_page))


def test_the_cli_refuses_in_the_configured_language_without_codes(tmp_path, demo_instance, runner):
    """Before: "Lỗi: " followed by the untranslated Vietnamese, whatever the language."""
    import shutil
    refused = runner.invoke(args=["create-user", "--username", "daidien9", "--password", "mat-khau-dai-du", "--role", "host"])
    assert refused.exit_code == 2 and refused.output.startswith("Lỗi: ")
    readable(refused.output)
    shutil.copytree(demo_instance, tmp_path / "english" / "instance")
    app = make_app(tmp_path / "english", BABEL_DEFAULT_LOCALE="en")
    try:
        refused = app.test_cli_runner().invoke(args=["create-user", "--username", "daidien9", "--password", "mat-khau-dai-du", "--role", "host"])
        assert refused.exit_code == 2 and refused.output.startswith("Error: ")
        assert english(refused.output.removeprefix("Error: ")).startswith("Please enter the unit")
        missing = app.test_cli_runner().invoke(args=["restore"])
        assert missing.exit_code == 2 and "Please name one source" in missing.output
    finally:
        app.extensions["survey_store"].close()


BAD_TYPE = ('id = "thu"\nversion = 1\ntitle = "Thử"\ntitle_en = "Trial"\n[[sections]]\nkey = "chung"\n'
            'title = "Chung"\ntitle_en = "General"\n[[sections.items]]\nkey = "portal_speed"\ntype = "yesno"\n'
            'label = "Tốc độ"\nlabel_en = "Speed"\n')


def test_a_form_file_problem_reads_in_vietnamese_and_in_english(app):
    """Before: "thu.toml: sections[0].items[0].type: unknown type 'yesno', use one of …
    (item 'portal_speed')", English whatever the reader's language."""
    from flask_babel import gettext
    from survey_app.checklists import FormError, load_forms, parse_form
    with pytest.raises(FormError) as refused:
        parse_form(BAD_TYPE, "thu.toml")
    assert str(refused.value).startswith("thu.toml: sections[0].items[0].type: không có loại 'yesno': vui lòng dùng một "
                                         "trong: yes_partly_no, ")
    assert str(refused.value).endswith(" (mục 'portal_speed')")
    readable(str(refused.value))
    wrong_kind = BAD_TYPE.replace('type = "yesno"', 'type = "text"').replace("version = 1", 'version = "1"')
    with pytest.raises(FormError) as kind:
        parse_form(wrong_kind, "thu.toml")
    assert str(kind.value) == "thu.toml: version: vui lòng ghi một số nguyên"
    with app.test_request_context("/?lang=en"):
        assert english(refused.value.problem.translated(gettext)).startswith(
            "thu.toml: sections[0].items[0].type: there is no type 'yesno': please use one of: yes_partly_no, ")
        assert refused.value.problem.translated(gettext).endswith(" (item 'portal_speed')")
        assert kind.value.problem.translated(gettext) == "thu.toml: version: please write a whole number"
        assert english(load_forms("/no/such/folder").errors[0].translated(gettext)) == \
            "The forms folder /no/such/folder was not found."


def test_an_expression_problem_reads_in_english_too(app):
    """Before: "biểu thức không hợp lệ: min() takes 2..32 positional arguments" (English
    inside Vietnamese) and the same in English mode."""
    from flask_babel import gettext
    from survey_app.checklists.xlsform import XLSFormError, read_xlsform
    from .xlsform_samples import workbook
    data = workbook([["type", "name", "label", "calculation", "unit"],
                     ["begin group", "indicators", "Chỉ tiêu"],
                     ["integer", "total", "Tổng", "", "hồ sơ"],
                     ["calculate", "least", "Nhỏ nhất", "min(${total})", "hồ sơ"],
                     ["calculate", "power", "Lũy thừa", "${total} * ${total} > 'x'", "hồ sơ"],
                     ["end group"]], [["list_name", "name", "label"]])
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(data)
    problems = refused.value.problems
    assert problems[0] == ("survey, dòng 4, cột calculation: biểu thức không hợp lệ: hàm min() nhận 2..32 tham số, "
                           "không phải 1")
    with app.test_request_context("/?lang=en"):
        translated = [english(problem.translated(gettext)) for problem in problems]
    assert translated[0] == ("survey, row 4, column calculation: the expression is not valid: the function min() "
                             "takes 2..32 arguments, not 1")
    assert len(translated) == len(problems) >= 2


@pytest.fixture
def english_app(tmp_path, demo_instance):
    """The demo instance with English as the configured language (the CLI speaks it)."""
    import shutil
    shutil.copytree(demo_instance, tmp_path / "english" / "instance")
    app = make_app(tmp_path / "english", BABEL_DEFAULT_LOCALE="en")
    yield app
    app.extensions["survey_store"].close()


def test_the_cli_reports_success_in_the_configured_language_keeping_its_machine_output(runner, english_app):
    """Before: "Đã tạo người dùng …" and "Đã thu hồi 1 mã truy cập." whatever the language."""
    created = runner.invoke(args=["create-user", "--username", "canbo7", "--password", "mat-khau-dai-du", "--role", "member"])
    assert created.exit_code == 0 and readable(created.output).startswith("Đã tạo người dùng canbo7 (id ")
    english_cli = english_app.test_cli_runner()
    created = english_cli.invoke(args=["create-user", "--username", "canbo7", "--password", "mat-khau-dai-du", "--role", "member"])
    assert created.exit_code == 0 and re.fullmatch(r"Created the user canbo7 \(id \d+\)\.\n", english(created.output))
    token = english_cli.invoke(args=["token", "create", "canbo7"])
    assert token.exit_code == 0 and re.fullmatch(r"\S{20,}\n", token.output)  # the token alone, as before
    revoked = english_cli.invoke(args=["token", "revoke", "canbo7"])
    assert revoked.output == "Revoked 1 API token.\n"  # one: the singular
    assert english_cli.invoke(args=["token", "revoke", "canbo7"]).output == "Revoked 0 API tokens.\n"
    listing = english_cli.invoke(args=["delegation", "list", "--json"])
    assert listing.exit_code == 0 and isinstance(__import__("json").loads(listing.output), list)
    trail = english_cli.invoke(args=["audit", "verify"])
    assert trail.exit_code == 0 and re.fullmatch(r"The audit trail is intact: \d+ entries\.\n", trail.output)


def test_the_finalize_refusal_counts_in_the_readers_language(app, client, token, store):
    """Before: "1 required checklist items are still unanswered" in English."""
    from survey_app.domain.errors import Conflict
    from survey_app.domain.minutes.operations import MISSING
    from survey_app.domain.visits.operations import plan_visit
    from survey_app.web.errors import refusal_text
    from .support import seed_visit, user
    forms = client.application.extensions["survey_forms"]
    visit = plan_visit(store, forms, user(store, "thuky"), delegation_id=seed_visit(store)["delegation_id"],
                       unit="UBND xã Hra", form_id="ttpvhcc-xa", started_at="2026-12-10T08:00:00+07:00", place="Hội trường")
    url = f"/api/v1/visits/{visit}/minutes/finalize"
    asked = client.post(url, json={"confirm": False}, headers=token("thuky"))
    assert asked.status_code == 409 and asked.get_json()["field"] == "confirm"
    count = int(re.match(r"Còn (\d+) mục bắt buộc", readable(asked.get_json()["error"]))[1])
    assert count > 1
    asked = client.post(url + "?lang=en", json={"confirm": False}, headers={**token("thuky"), "Accept-Language": "en"})
    assert english(asked.get_json()["error"]) == (f"{count} required checklist items are still unanswered; please "
                                                  "answer them or confirm that the minutes are finalised anyway.")
    with app.test_request_context("/?lang=en"):
        assert refusal_text(Conflict(MISSING, "confirm", count=1)) == (
            "1 required checklist item is still unanswered; please answer it or confirm that the minutes are "
            "finalised anyway.")
    with app.test_request_context("/?lang=vi"):
        assert refusal_text(Conflict(MISSING, "confirm", count=1)).startswith("Còn 1 mục bắt buộc")


def test_a_figure_that_is_no_number_is_asked_again_politely_in_both_languages(client, token, store):
    """Before: "giá trị phải là một số, ví dụ 88,2", unmarked, in both languages."""
    from .test_visit_pages import field_version
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])["id"]
    path = "indicators.on_time_rate_pct"
    for lang, expected in (("vi", "Vui lòng nhập một số, ví dụ 88,2."), ("en", "Please enter a number, for example 88.2.")):
        message = {"id": str(uuid.uuid4()), "target": path, "op": "set", "value": "88,2x",
                   "base_version": field_version(store, visit, path)}
        refused = client.post(f"/api/v1/visits/{visit}/changes?lang={lang}", json=message,
                              headers={**token("thuky"), "Accept-Language": lang})
        assert refused.status_code == 400 and refused.get_json()["field"] == path
        assert refused.get_json()["error"] == expected


def test_a_refused_visit_document_names_its_field_in_the_readers_language(client, token):
    """Before: "Trường 'recommendations[0].due': phải là ngày có thật dạng YYYY-MM-DD",
    unmarked, the same in English; a wrong type listed "số" in English too."""
    import copy
    document = copy.deepcopy(seed_document())
    document["uuid"] = str(uuid.uuid4())
    document["recommendations"][0]["due"] = "2026-02-30"
    for lang, expected in (("vi", "Trường 'recommendations[0].due' phải là ngày có thật dạng YYYY-MM-DD."),
                           ("en", "The field 'recommendations[0].due' must be a real date written YYYY-MM-DD.")):
        refused = client.post(f"/api/v1/visits?lang={lang}", json=document,
                              headers={**token("admin"), "Accept-Language": lang})
        assert refused.status_code == 400 and refused.get_json() == {"error": expected, "field": "recommendations[0].due"}
    document["recommendations"][0]["due"] = None
    document["report"]["indicators"]["dossiers_received"] = "509"
    refused = client.post("/api/v1/visits?lang=en", json=document, headers={**token("admin"), "Accept-Language": "en"})
    assert english(refused.get_json()["error"]) == "The field 'report.indicators.dossiers_received' must be a number."


def test_a_file_that_is_no_backup_is_refused_in_the_configured_language(tmp_path, runner, english_app):
    """Before: "'x' không phải là tệp cơ sở dữ liệu SQLite (file is not a database)." in
    both languages, with sqlite's own English."""
    not_a_backup = tmp_path / "khong-phai.db"
    not_a_backup.write_bytes(b"not a database at all" * 100)
    refused = runner.invoke(args=["restore", str(not_a_backup)])
    assert refused.exit_code == 2 and "không phải là tệp cơ sở dữ liệu SQLite: vui lòng chọn" in readable(refused.output)
    assert "file is not a database" not in refused.output
    refused = english_app.test_cli_runner().invoke(args=["restore", str(not_a_backup)])
    assert refused.exit_code == 2 and refused.output.startswith("Error: '")
    english(refused.output.removeprefix("Error: "))
    assert "is not an SQLite database file: please choose a survey_app backup." in refused.output


def test_an_edited_audit_entry_is_reported_in_the_configured_language(english_app):
    """Before: "Lỗi: mục #2: nội dung đã bị sửa" in English mode too."""
    from .test_audit import _tamper
    _tamper(english_app.extensions["survey_store"], "UPDATE audit_log SET actor = 'someone else' WHERE id = 2")
    result = english_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "Error: entry #2: its content was edited" in result.output
    assert not VIETNAMESE.search(result.output)
