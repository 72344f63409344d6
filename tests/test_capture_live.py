"""Team capture, live (issue 16, item 11): the capture page's poll answers the other
members' changes after its cursor (value, version, who, when), capped per answer, and
who is in which section, forgotten after the expiry; only the visit's delegation (and
admins) may poll, and a refused or invalid poll leaves no row behind."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from survey_app.clock import now_utc
from survey_app.domain.visits import changes as visit_changes
from survey_app.domain.visits import live
from survey_app.storage import live as live_sql
from survey_app.storage import visits as visits_sql

from .conftest import csrf_token, login
from .support import user


def member(app, username: str, visit_id: int):
    """A signed-in test client of `username` with the capture page's CSRF header; the
    page's start cursor is `client.since`."""
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert login(client, username).status_code == 302
    page = client.get(f"/visits/{visit_id}/capture").get_data(as_text=True)
    client.page = page
    since = re.search(r'data-live-since="(\d+)"', page)
    client.since = int(since.group(1)) if since else None
    client.headers = {"X-CSRFToken": csrf_token(client, f"/visits/{visit_id}/capture")}
    return client


def poll(client, visit_id: int, since: int, section: str = ""):
    return client.post(f"/visits/{visit_id}/capture/changes", json={"since": since, "section": section},
                       headers=client.headers)


def save(client, visit_id: int, message: dict):
    return client.post(f"/visits/{visit_id}/changes", json=message, headers=client.headers)


def presence_rows(store) -> int:
    return store.db.execute("SELECT count(*) FROM capture_presence").fetchone()[0]


def test_a_members_change_reaches_the_other_after_the_cursor(app, store, seed_visit_id):
    visit = seed_visit_id
    base = store.read(visits_sql.get_field, visit, "conclusion.text")["version"]
    a, b = member(app, "thanhvien", visit), member(app, "truongdoan", visit)
    assert a.since is not None and a.since == b.since
    first = poll(a, visit, a.since).get_json()
    assert first["changes"] == [] and first["cursor"] == a.since

    saved = save(b, visit, {"id": "live-msg-0001", "target": "conclusion.text", "op": "set",
                            "value": "Đoàn ghi nhận kết quả.", "base_version": base})
    assert saved.status_code == 200, saved.get_json()
    stale = save(b, visit, {"id": "live-msg-0002", "target": "conclusion.text", "op": "set",
                            "value": "Một giá trị cũ", "base_version": base})
    assert stale.status_code == 409  # a conflict changed nothing: not a change to show

    answer = poll(a, visit, a.since, "report").get_json()
    assert [c["field"] for c in answer["changes"]] == ["conclusion.text"]
    change = answer["changes"][0]
    assert change["value"] == "Đoàn ghi nhận kết quả." and change["version"] == saved.get_json()["version"]
    assert change["who"] == "Đinh Ly An" and change["mine"] is False
    assert dt.datetime.fromisoformat(change["at"]).tzinfo is not None
    assert answer["cursor"] > a.since and answer["more"] is False
    # From the new cursor nothing is new; B sees the same change marked as B's own.
    assert poll(a, visit, answer["cursor"], "report").get_json()["changes"] == []
    assert poll(b, visit, b.since).get_json()["changes"][0]["mine"] is True
    # A page rendered now starts after it.
    assert member(app, "thuky", visit).since == answer["cursor"]


def test_item_changes_carry_their_state_and_deletion(app, seed_visit_id):
    visit = seed_visit_id
    a, b = member(app, "thanhvien", visit), member(app, "thuky", visit)
    save(b, visit, {"id": "live-add-0001", "target": "difficulty", "op": "add", "item": "live-item-0001",
                    "value": {"text": "Thiếu máy scan"}})
    save(b, visit, {"id": "live-del-0001", "target": "difficulty", "op": "delete", "item": "live-item-0001",
                    "base_version": 1})
    save(b, visit, {"id": "live-add-0002", "target": "recommendation", "op": "add", "item": "live-item-0002",
                    "value": {"text": "Bổ sung máy scan", "addressee": "UBND xã Hra", "due": "2026-12-31"}})
    changes = poll(a, visit, a.since).get_json()["changes"]
    assert [(c["item"], c["kind"], c["deleted"]) for c in changes] == [
        ("live-item-0001", "difficulty", True), ("live-item-0002", "recommendation", False)]
    assert changes[1]["value"]["text"] == "Bổ sung máy scan" and changes[1]["who"] == "Nguyễn Thị Thu"
    assert changes[0]["version"] == 2 and isinstance(changes[1]["position"], float)


def test_an_answer_is_capped_and_the_rest_comes_with_the_next_poll(app, store, seed_visit_id):
    visit = seed_visit_id
    a = member(app, "thanhvien", visit)
    head, forms = user(store, "truongdoan"), app.extensions["survey_forms"]
    for n in range(live.LIMIT + 5):
        status, _ = visit_changes.apply_change(store, forms, head, visit, {
            "id": f"cap-msg-{n:05d}", "target": "difficulty", "op": "add", "item": f"cap-item-{n:05d}",
            "value": {"text": f"Khó khăn {n}"}})
        assert status == 200
    first = poll(a, visit, a.since).get_json()
    assert len(first["changes"]) == live.LIMIT and first["more"] is True
    rest = poll(a, visit, first["cursor"]).get_json()
    assert len(rest["changes"]) == 5 and rest["more"] is False
    items = [c["item"] for c in first["changes"] + rest["changes"]]
    assert items == [f"cap-item-{n:05d}" for n in range(live.LIMIT + 5)]  # each once, in order


def test_presence_shows_the_others_and_expires(app, store, seed_visit_id):
    visit = seed_visit_id
    a, b, sec = (member(app, name, visit) for name in ("thanhvien", "truongdoan", "thuky"))
    poll(a, visit, a.since, "report")
    poll(b, visit, b.since, "checklist")
    seen_by_a = poll(a, visit, a.since, "report").get_json()["presence"]
    assert seen_by_a == [{"section": "checklist", "name": "Đinh Ly An", "initials": "ĐLA"}]
    assert poll(b, visit, b.since, "checklist").get_json()["presence"] == [
        {"section": "report", "name": "Rơ Mah Khuê", "initials": "RMK"}]
    # B moves: A sees it at once (a changed section is written whatever the refresh).
    poll(b, visit, b.since, "opinions")
    assert [p["section"] for p in poll(a, visit, a.since, "report").get_json()["presence"]] == ["opinions"]
    # B's last poll was longer ago than the expiry: not shown to anyone, and its row goes
    # with the next presence written (here the secretary's first poll).
    old = (dt.datetime.fromisoformat(now_utc()) - dt.timedelta(seconds=live.PRESENCE_SECONDS + 1))
    store.write(live_sql.record_presence, visit, user(store, "truongdoan")["id"], "opinions",
                old.isoformat(timespec="seconds"), "0")
    assert presence_rows(store) == 2
    assert poll(sec, visit, sec.since, "time").get_json()["presence"] == [
        {"section": "report", "name": "Rơ Mah Khuê", "initials": "RMK"}]
    assert presence_rows(store) == 2  # thanhvien and thuky: B's expired row is gone
    assert [p["name"] for p in poll(a, visit, a.since, "report").get_json()["presence"]] == ["Nguyễn Thị Thu"]


def test_the_page_and_its_script_name_the_same_sections_and_route(app, seed_visit_id):
    page = member(app, "thanhvien", seed_visit_id).page
    menu = re.search(r'<nav class="section-menu".*?</nav>', page, re.S).group(0)
    assert tuple(re.findall(r'href="#([\w-]+)"', menu)) == live.SECTIONS
    assert 'data-live-texts="live-texts"' in page and 'id="live-texts"' in page
    script = (Path(app.static_folder) / "js" / "capture-live.js").read_text(encoding="utf-8")
    url = re.search(r'LIVE_URL = "([^"]+)"', script).group(1)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "visits.live_changes")
    assert url.replace("{id}", "<int:visit_id>") == rule.rule and rule.methods >= {"POST"}


@pytest.mark.parametrize("body, field", [
    ({"since": -1}, "since"), ({"since": "3"}, "since"), ({"since": True}, "since"), ({}, "since"),
    ({"since": 0, "section": "nowhere"}, "section"), ({"since": 0, "section": 3}, "section"),
    ({"since": 0, "extra": 1}, "extra")])
def test_a_bad_poll_names_its_field_and_records_nothing(app, store, seed_visit_id, body, field):
    a = member(app, "thanhvien", seed_visit_id)
    answer = a.post(f"/visits/{seed_visit_id}/capture/changes", json=body, headers=a.headers)
    assert answer.status_code == 400 and answer.get_json()["field"] == field
    assert answer.get_json()["error"]
    assert presence_rows(store) == 0


@pytest.mark.parametrize("username, status", [("xem", 403), ("xahra", 403), ("xaiahru", 404)])
def test_only_the_delegation_polls(app, store, seed_visit_id, username, status):
    outsider = member(app, username, seed_visit_id)
    assert outsider.since is None  # a page to look at does not poll
    answer = poll(outsider, seed_visit_id, 0, "report")
    assert answer.status_code == status and answer.get_json()["ok"] is False
    assert presence_rows(store) == 0


def test_a_poll_without_the_csrf_header_is_refused(app, store, seed_visit_id):
    a = member(app, "thanhvien", seed_visit_id)
    answer = a.post(f"/visits/{seed_visit_id}/capture/changes", json={"since": 0, "section": "report"})
    assert answer.status_code == 400 and presence_rows(store) == 0


def test_english_texts_of_the_live_page(app, seed_visit_id):
    a = member(app, "thanhvien", seed_visit_id)
    page = a.get(f"/visits/{seed_visit_id}/capture?lang=en").get_data(as_text=True)
    texts = json.loads(re.search(r'id="live-texts">(.*?)</script>', page, re.S).group(1))
    assert texts["changed"] == "{who} changed «{field}» at {time}" and texts["editing"] == "Editing:"


def test_photos_added_drawn_on_or_put_back_reach_the_others(app, store, seed_visit_id):
    """A photo B adds, draws on, or puts back to its original is an item change in A's
    poll, with who, the file it shows now and where the page loads it."""
    import io

    from .crafted_files import camera_jpeg
    from .test_photo_annotations import circled

    visit = seed_visit_id
    a, b = member(app, "thanhvien", visit), member(app, "thuky", visit)
    added = b.post(f"/visits/{visit}/photos", headers=b.headers,
                   data={"file": (io.BytesIO(camera_jpeg(41, (640, 480))), "anh.jpg"),
                         "item": "live-photo-0001", "caption": "Quầy một cửa"})
    assert added.status_code == 201
    sha = added.get_json()["sha256"]
    answer = poll(a, visit, a.since, "photos").get_json()
    [change] = answer["changes"]
    assert (change["item"], change["kind"], change["deleted"]) == ("live-photo-0001", "photo", False)
    assert change["value"]["caption"] == "Quầy một cửa" and change["who"] == "Nguyễn Thị Thu"
    assert change["mine"] is False and change["shown"] == sha
    assert change["url"] == added.get_json()["url"]
    assert a.get(change["url"]).status_code == 200
    assert poll(b, visit, b.since).get_json()["changes"][0]["mine"] is True

    c = member(app, "truongdoan", visit)  # another member draws on B's photo
    drawn = c.post(f"/visits/{visit}/photos", headers=c.headers,
                   data={"file": (io.BytesIO(circled(b.get(change["url"]).data)), "anh.jpg"),
                         "annotates": "live-photo-0001", "item": "live-annotation-0001"})
    assert drawn.status_code == 201
    after_drawing = poll(a, visit, answer["cursor"], "photos").get_json()
    [redrawn] = after_drawing["changes"]
    assert redrawn["item"] == "live-photo-0001" and redrawn["shown"] == drawn.get_json()["sha256"]
    assert redrawn["url"] == drawn.get_json()["url"] != change["url"]
    assert redrawn["who"] == "Đinh Ly An" and redrawn["mine"] is False  # who drew, not who took it

    back = b.post(f"/visits/{visit}/photos/live-photo-0001/original", headers=b.headers)
    assert back.status_code == 200 and back.get_json()["changed"] is True
    [original] = poll(a, visit, after_drawing["cursor"], "photos").get_json()["changes"]
    assert original["shown"] == sha and original["url"] == change["url"] and original["who"] == "Nguyễn Thị Thu"
    # The outsider still cannot read the feed (permissions unchanged).
    assert poll(member(app, "xem", visit), visit, 0).status_code == 403
