"""The admin's form pages over HTTP: upload with every problem listed (nothing
published), preview of the capture page (tablet width) and the outline with sample
answers, publish as the next version, the published text exactly the one previewed,
download as XLSForm, retire; the capture page of a visit carries the skip logic."""
from __future__ import annotations

import io
import json
import re
from html import unescape

from survey_app.checklists.xlsform import read_xlsform
from survey_app.storage import forms as forms_sql

from .conftest import csrf_token
from .test_form_publish import FORM, plan, user, with_skip_section
from .xlsform_samples import ODK_WIDGETS, workbook


def upload(client, data: bytes, name="form.xlsx"):
    token = csrf_token(client, "/admin/forms")
    return client.post("/admin/forms/preview", data={"csrf_token": token,
                                                     "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_an_upload_with_problems_lists_them_all_and_publishes_nothing(login_as, store):
    client = login_as("admin")
    response = upload(client, workbook(**ODK_WIDGETS))
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "survey, dòng 3, cột type: loại 'geopoint' chưa được hỗ trợ" in page
    assert "survey, dòng 9, cột type: loại 'barcode' chưa được hỗ trợ" in page
    assert store.read(forms_sql.latest_publications) == []
    assert upload(client, b"%PDF-1.4 not a workbook", "form.pdf").status_code == 400


def test_preview_then_publish_version_2(app, login_as, store):
    client = login_as("admin")
    data, first = with_skip_section(app.extensions["survey_forms"])
    response = upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="card tablet-frame" id="form-preview"' in page and 'id="outline"' in page
    assert 'data-relevance-key="section:cold_chain"' in page and 'id="skip-logic"' in page
    assert re.search(r'name="checklist\.' + first + r'\.value" value="yes" checked', page), "sample answers"
    assert "Phát hành phiên bản 2" in page and store.read(forms_sql.latest_publications) == []
    source = unescape(re.search(r'<textarea name="source" hidden>(.*?)</textarea>', page, re.S).group(1))
    content_hash = re.search(r'name="content_hash" value="([0-9a-f]{64})"', page).group(1)
    token = csrf_token(client, "/admin/forms")
    tampered = client.post("/admin/forms/publish", data={
        "csrf_token": token, "content_hash": content_hash,
        "source": source.replace("Dây chuyền lạnh", "Đã sửa")})
    assert tampered.status_code == 400 and store.read(forms_sql.latest_publications) == []
    published = client.post("/admin/forms/publish", data={
        "csrf_token": token, "content_hash": content_hash, "source": source})
    assert published.status_code == 302
    forms = app.extensions["survey_forms"]
    assert forms.get(FORM).version == 2 and forms.get(FORM).content_hash == content_hash
    again = client.post("/admin/forms/publish", data={
        "csrf_token": token, "content_hash": content_hash, "source": source})
    assert again.status_code == 400, "the same version twice is refused"
    listing = client.get("/admin/forms").get_data(as_text=True)
    assert f'data-form="{FORM}"' in listing and content_hash[:12] in listing
    # the new visit's capture page asks the new section only when it applies
    visit_id = plan(store, forms, user(store, "admin"))
    capture = client.get(f"/visits/{visit_id}/capture").get_data(as_text=True)
    assert 'data-relevance-key="section:cold_chain"' in capture
    rules = json.loads(re.search(r'<script type="application/json" id="skip-logic">(.*?)</script>',
                                 capture, re.S).group(1))
    assert ["section:cold_chain", f"${{{first}}} = 'yes'", None] in rules


def test_download_is_an_xlsform_of_the_same_form(app, login_as):
    client = login_as("admin")
    response = client.get(f"/admin/forms/{FORM}.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    from survey_app.checklists.canonical import canonical_hash
    assert read_xlsform(response.data).content_hash == canonical_hash(app.extensions["survey_forms"].get(FORM))


def test_retire_from_the_page(app, login_as, store):
    client = login_as("admin")
    token = csrf_token(client, "/admin/forms")
    assert client.post(f"/admin/forms/{FORM}/retire", data={"csrf_token": token}).status_code == 302
    assert FORM not in [form.id for form in app.extensions["survey_forms"]]
    assert "Ngừng sử dụng" in client.get("/admin/forms").get_data(as_text=True)
    assert client.post(f"/admin/forms/{FORM}/reinstate", data={"csrf_token": token}).status_code == 302
    assert FORM in [form.id for form in app.extensions["survey_forms"]]


def test_the_preview_of_a_current_form_has_no_publish_button(login_as):
    page = login_as("admin").get(f"/admin/forms/{FORM}/preview").get_data(as_text=True)
    assert 'id="form-preview"' in page and 'id="publish-form"' not in page
