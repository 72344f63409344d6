"""Complete English (issue 19 item 4): with the app's language switch on English, no page
an admin, a secretary or a host can reach shows a Vietnamese word, but for user data.

The pages are every GET page of the URL map, its ids taken from the seed (the seed
visit, its delegation, unit, form and a recommendation). User data is what the database
holds (unit and people's names, typed texts: every text of every table, and the
strings inside its JSON) and the forms' content: those are removed from the page (also
where a page shows them shortened, "…") before looking for a Vietnamese word (a word with a Vietnamese letter: ă, â, đ, ê, ô, ơ, ư or a tone mark)."""
from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest

from survey_app.demo import seed_document
from survey_app.domain.directory import minutes_settings
from survey_app.storage import recommendations as rec_sql
from survey_app.storage import visits as visits_sql

from .conftest import login

LETTERS = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
WORD = re.compile(rf"[\w]*[{LETTERS}{LETTERS.upper()}][\w]*")
# A language is named in its own language in the switch; the token an administrator types
# in the minutes' copies and Nơi nhận lines for the host unit is printed into Vietnamese
# minutes, so it is shown as it must be typed.
ALLOWED = {"Tiếng Việt", minutes_settings.HOST}
# An English term may give the Vietnamese one it stands for: "Department (sở)".
GLOSS = re.compile(r"(?<=[A-Za-z]) \([^()\s]{1,12}\)")
SHOWN_ATTRIBUTES = re.compile(r"""\b(?:title|placeholder|aria-label|alt)\s*=\s*("[^"]*"|'[^']*')""")
ROLES = ("admin", "thuky", "xahra")
# Not pages: files, feeds, images and the pages' own assets.
NOT_PAGES = re.compile(r"\.(svg|pdf|xlsx|csv|ics|css|docx|<fmt>|<kind>)$|^/(static|vendor|sw\.js|manifest|healthz|"
                       r"offline/token|api)|/photos/|/evidence/|/file$")


def strings(value) -> list[str]:
    """Every string inside a value (a JSON text is opened up)."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "[{":
            try:
                return [value] + strings(json.loads(text))
            except ValueError:
                pass
        return [value, *value.splitlines()]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    return []


def form_texts(value) -> list[str]:
    """The texts of a form that English pages may show in Vietnamese: those the form
    gives no English for (its content is the form author's, as a unit's name is the
    administrator's). A text with its English (`label_en`, `title_en`, `message_en`,
    `help_en`, `unit_en`, `description_en`) must be shown in English, so it is no user data."""
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) if not getattr(value, f"{f.name}_en", "")
                for s in form_texts(getattr(value, f.name))]
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in form_texts(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in form_texts(v)]
    return []


def user_data(app) -> list[str]:
    """The Vietnamese texts of the database and of the forms without English, longest first."""
    store, found = app.extensions["survey_store"], set()
    for table in store.db.table_names():
        for row in store.db[table].rows:
            for value in row.values():
                found.update(strings(value))
    forms = app.extensions["survey_forms"]
    for spec, _retired in forms.catalogue():
        found.update(form_texts(spec))
    return sorted({" ".join(s.split()) for s in found if s and WORD.search(s)}, key=len, reverse=True)


def shown_text(page: str) -> str:
    """What a reader sees: the text outside tags, the shown attributes, the texts the
    page's scripts show (its JSON script tags); no other script or style."""
    texts = re.findall(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', page, re.S)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    parts = [value[1:-1] for value in SHOWN_ATTRIBUTES.findall(page)]
    parts += [s for text in texts for s in strings(json.loads(text))]
    parts.append(re.sub(r"<[^>]*>", " ", page))
    return "\n".join(" ".join(html.unescape(part).split()) for part in parts)


ELLIPSIS = re.compile(r"\.\.\.|…")


def cut_shortened(text: str, value: str) -> str:
    """`text` without `value` shown shortened ("Tăng cường tuyên truyền, … xây dựng...")."""
    head, start = value[:20], text.find(value[:20])
    while start != -1:
        end = ELLIPSIS.search(text, start)
        if end and value.startswith(text[start:end.start()].rstrip()):
            text = text[:start] + " " + text[end.end():]
        start = text.find(head, start + 1)
    return text


def vietnamese_words(text: str, data: list[str]) -> list[str]:
    for value in data:
        if len(value) > 20 and value[:20] in text:
            text = cut_shortened(text, value)
    for value in data:
        text = text.replace(value, " ")
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    text = GLOSS.sub(" ", text)
    return sorted(set(WORD.findall(text)))


def seed_ids(store) -> dict[str, object]:
    visit = store.read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])
    items = store.read(rec_sql.rows_of_visit, visit["id"])
    return {"visit_id": visit["id"], "delegation_id": visit["delegation_id"], "unit_id": visit["unit_id"],
            "form_id": visit["form_id"], "uuid": visit["uuid"], "item_id": min(items) if items else None}


def pages(app, ids: dict) -> list[str]:
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or NOT_PAGES.search(rule.rule) or rule.arguments - set(ids):
            continue
        if any(ids[name] is None for name in rule.arguments):
            continue
        with app.test_request_context():
            from flask import url_for
            found.append(url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments}))
    return sorted(set(found))


@pytest.fixture
def english(app, client):
    ids = seed_ids(app.extensions["survey_store"])
    return app, client, ids, user_data(app)


@pytest.mark.parametrize("username", ROLES)
def test_no_english_page_shows_a_vietnamese_word_but_user_data(english, username):
    app, client, ids, data = english
    assert login(client, username).status_code == 302
    assert client.get("/?lang=en").status_code == 200  # the app's language switch
    seen, found = 0, {}
    for url in pages(app, ids):
        response = client.get(url)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        seen += 1
        words = vietnamese_words(shown_text(response.get_data(as_text=True)), data)
        if words:
            found[url] = words
    assert seen >= (10 if username != "xahra" else 3), seen
    assert not found, "\n".join(f"{url}: {' '.join(words)}" for url, words in sorted(found.items()))


def test_the_check_finds_a_vietnamese_word_and_spares_user_data():
    page = ('<html lang="en"><title>Visits</title><p>UBND xã Hra</p><button title="Lưu">Save</button>'
            '<script type="application/json" id="t">{"saved": "Đã lưu"}</script><p>Tiếng Việt</p>'
            '<td>Tăng cường tuyên truyền, hướng dẫn người\n dân sử dụng...</td><p>Department (sở)</p></html>')
    data = ["UBND xã Hra", "Tăng cường tuyên truyền, hướng dẫn người dân sử dụng dịch vụ công", "người"]
    assert vietnamese_words(shown_text(page), data) == ["Lưu", "lưu", "Đã"]


def test_counts_read_singular_and_plural_in_english(client, login_as):
    """ngettext with a msgctxt: Vietnamese has one form, English two."""
    login_as("thuky")
    one = client.get("/followup/reminders?days=1&lang=en").get_data(as_text=True)
    many = client.get("/followup/reminders?days=30").get_data(as_text=True)
    assert "Due in 1 day" in one and "Due in 1 days" not in one and "Due in 30 days" in many
    assert "Đến hạn trong 1 ngày" in client.get("/followup/reminders?days=1&lang=vi").get_data(as_text=True)
    chrome = client.get("/?lang=en").get_data(as_text=True)
    assert 'data-waiting="entries waiting to be sent"' in chrome and 'data-waiting-one="entry waiting to be sent"' in chrome


def test_the_import_summary_and_the_minutes_count_one_and_many_in_english(client, login_as):
    """"1 units would be created" before; each count is its own plural phrase now."""
    import io
    from .conftest import csrf_token
    login_as("admin")
    client.get("/?lang=en")
    text = "name,kind,locality,parent\nubnd XÃ hra,UBND xã,xã Hra,\nUBND xã Ia Le,UBND xã,xã Ia Le,\n" \
           "UBND xã Ia Mơ,UBND xã,xã Ia Mơ,\n,UBND xã,xã Trống,\n"
    form = {"csrf_token": csrf_token(client, "/units/import"), "dry_run": "1",
            "file": (io.BytesIO(text.encode()), "don-vi.csv")}
    page = client.post("/units/import", data=form, content_type="multipart/form-data").get_data(as_text=True)
    assert "2 units will be created, 1 unit already listed, 1 row refused." in page
    client.get("/?lang=vi")
    form["file"] = (io.BytesIO(text.encode()), "don-vi.csv")
    page = client.post("/units/import", data=form, content_type="multipart/form-data").get_data(as_text=True)
    assert "2 đơn vị sẽ được tạo, 1 đơn vị đã có, 1 dòng bị từ chối." in page


def test_plural_catalogue_entries_give_english_one_and_many(app):
    from flask_babel import npgettext
    with app.test_request_context("/?lang=en"):
        assert npgettext("count", "%(num)s kiến nghị", "%(num)s kiến nghị", 1) == "1 recommendation"
        assert npgettext("count", "%(num)s kiến nghị", "%(num)s kiến nghị", 3) == "3 recommendations"
        assert npgettext("count", "%(num)s buổi khảo sát", "%(num)s buổi khảo sát", 1) == "1 visit"
        assert npgettext("count", "Vẫn thông qua biên bản (còn thiếu %(num)s mục)",
                         "Vẫn thông qua biên bản (còn thiếu %(num)s mục)", 1) == \
            "Finalise the minutes anyway (1 item missing)"
