"""Team capture, live (issue 16, item 11): what the other members changed in a visit
since the page's cursor, and who is in which section of its capture page.

The page polls every few seconds with its cursor (the rowid of the last applied autosave
message it has seen) and its own section. The answer gives the current value, version,
author and time of each field or item changed after the cursor (a photo added, drawn on
or put back to its original is an item change, with `shown`: the file it shows now) (at most `LIMIT`
messages a time: `more` asks the page to poll again at once) and the other members
seen within `PRESENCE_SECONDS`. Presence is a row per (visit, member), written only
when the section changes or the row is about to expire, so a poll is mostly a read.
"""
from __future__ import annotations

import datetime as dt

from survey_app.clock import now_utc
from survey_app.domain import access
from survey_app.domain.errors import DomainError, Forbidden
from survey_app.domain.visits.operations import load_visit
from survey_app.markers import N_
from survey_app.storage import live as sql
from survey_app.storage import visits as visits_sql

LIMIT = 200  # autosave messages read per poll
PRESENCE_SECONDS = 30  # a member not polling for this long is no longer shown
REFRESH_SECONDS = 10  # a presence row younger than this is not written again
# The capture page's sections (templates/visits/capture.html), as a member's place.
SECTIONS = ("attendees", "time", "report", "checklist", "difficulties", "proposals", "opinions",
            "conclusion", "recommendations", "photos")


def check_request(since, section) -> tuple[int, str]:
    """The cursor (a whole number ≥ 0) and the section ("" for none) the page sent."""
    if not isinstance(since, int) or isinstance(since, bool) or since < 0:
        raise DomainError(N_("Vui lòng gửi mốc thay đổi là số nguyên không âm."), "since")
    if section is None:
        section = ""
    if section != "" and section not in SECTIONS:
        raise DomainError(N_("Phần đang nhập không có trên trang nhập thông tin."), "section")
    return since, section


def load_for_live(store, user: dict, visit_id: int) -> dict:
    """The visit, for those who may edit it (its delegation, admins); others 404/403."""
    visit = load_visit(store, visit_id, user)
    if not store.read(access.can_edit_visit, user, visit):
        raise Forbidden(N_("Tài khoản không có quyền sửa buổi khảo sát này."))
    return visit


def live_update(store, user: dict, visit: dict, since, section) -> dict:
    """The changes after `since` and the others' presence; records the member's section
    (the visit from `load_for_live`)."""
    since, section = check_request(since, section)
    visit_id = visit["id"]
    now = dt.datetime.fromisoformat(now_utc())
    _keep_presence(store, visit_id, user["id"], section, now)
    targets = store.read(sql.changed_targets, visit_id, since, LIMIT)
    expiry = (now - dt.timedelta(seconds=PRESENCE_SECONDS)).isoformat(timespec="seconds")
    return {"cursor": targets[-1]["seq"] if targets else since,
            "more": len(targets) == LIMIT,
            "changes": _current(store, visit_id, targets, user["id"]),
            "presence": [{**row, "initials": initials(row["name"])}
                         for row in store.read(sql.present, visit_id, expiry, user["id"])]}


def start_cursor(store, visit_id: int) -> int:
    """Where a capture page rendered now starts polling from."""
    return store.read(sql.last_cursor, visit_id)


def _keep_presence(store, visit_id: int, user_id: int, section: str, now: dt.datetime) -> None:
    stamp = now.isoformat(timespec="seconds")
    fresh = (now - dt.timedelta(seconds=REFRESH_SECONDS)).isoformat(timespec="seconds")
    row = store.read(sql.presence_of, visit_id, user_id)
    if row is not None and row["section"] == section and row["seen_at"] >= fresh:
        return
    expired = (now - dt.timedelta(seconds=PRESENCE_SECONDS)).isoformat(timespec="seconds")
    store.write(sql.record_presence, visit_id, user_id, section, stamp, expired)


def _current(store, visit_id: int, targets: list[dict], user_id: int) -> list[dict]:
    """Each changed field or item once, as it is now, in the order of its last change."""
    order = {}
    for target in (t for t in targets if t["applied"]):
        key = ("f", target["path"]) if target["path"] else ("i", target["uid"])
        order.pop(key, None)
        order[key] = target
    paths = [name for kind, name in order if kind == "f"]
    uids = [name for kind, name in order if kind == "i"]
    now = {("f", row["path"]): _field(row, user_id) for row in store.read(sql.fields_now, visit_id, paths)}
    now.update({("i", row["uid"]): _item(row, user_id) for row in store.read(sql.items_now, visit_id, uids)})
    if any(change.get("kind") == "photo" for change in now.values()):  # the file each photo shows now
        copies = store.read(visits_sql.annotated_photos, visit_id)
        for (kind, uid), change in now.items():
            if change.get("kind") == "photo":  # drawn on by another than its last editor: that one
                last = order.get((kind, uid))
                change["shown"] = (copies.get(uid) or change["value"]).get("sha256")
                if last is not None:
                    change.update(who=last["who"], at=last["at"], mine=last["by_id"] == user_id)
    return [now[key] for key in order if key in now]


def _field(row: dict, user_id: int) -> dict:
    return {"field": row["path"], "value": row["value"], "version": row["version"],
            "who": row["who"], "at": row["at"], "mine": row["by_id"] == user_id}


def _item(row: dict, user_id: int) -> dict:
    return {"item": row["uid"], "kind": row["kind"], "value": row["data"], "version": row["version"],
            "deleted": bool(row["deleted"]), "position": row["position"],
            "who": row["who"], "at": row["at"], "mine": row["by_id"] == user_id}


def initials(name: str | None) -> str:
    """`Rơ Mah Khuê` → `RMK`: what a section chip has room for."""
    return "".join(word[0] for word in (name or "").split() if word).upper()[:4]
