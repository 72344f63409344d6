"""The visit document `survey-visit/1`: import (idempotent by uuid) and export.

Export after import gives equal content. Figures that break a form rule are kept
as reported; the answer carries the warnings.
"""
from __future__ import annotations

from survey_app.markers import N_
import base64
import uuid as uuidlib
from pathlib import Path

from survey_app.storage import units as units_sql
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import visits as sql
from survey_app.visit_document import DocumentError, validate_document
from survey_app.domain import audit
from survey_app.clock import now_utc
from survey_app.domain.directory.delegations import _insert_with_members
from survey_app.domain.errors import DomainError, Forbidden
from survey_app.domain import files
from survey_app.domain.images import photo_path, stage_photo
from survey_app.domain.access import can_edit_visit, can_import_into, can_import_visits
from survey_app.domain.visits.operations import after_change, insert_visit_row

FORMAT = "survey-visit/1"
LIST_KINDS = (("difficulties", "difficulty"), ("proposals", "proposal"), ("opinions", "opinion"),
              ("recommendations", "recommendation"))


def import_document(store, forms, user: dict, doc, photos_dir: Path) -> dict:
    """Create the visit of a document; the same uuid again changes nothing.
    Returns {id, created, warnings}."""
    if not can_import_visits(user):
        raise Forbidden(N_("Tài khoản không có quyền nhập buổi khảo sát."))
    try:
        warnings = validate_document(doc, forms)
    except DocumentError as error:
        raise DomainError(error.template, error.field, **error.params) from None
    staged: list = []
    with files.cleaned_up(staged):  # photos kept only if the visit is created
        photos = []
        for i, photo in enumerate(doc.get("photos", [])):
            field = f"photos[{i}].data"
            if photo.get("data"):
                staged_photo, saved = stage_photo(photos_dir, base64.b64decode(photo["data"]), field)
                staged.append(staged_photo)
                photos.append(saved)
            else:
                photos.append(None)
        visit_id, created = store.write(_import, forms, user, doc, photos, staged)
    return {"id": visit_id, "created": created, "warnings": warnings}


def _import(db, forms, user, doc, photos, staged):
    existing = sql.get_visit_by_uuid(db, doc["uuid"])
    if existing is not None:
        if not can_edit_visit(db, user, existing):
            raise Forbidden(N_("Tài khoản không có quyền với buổi khảo sát này."))
        return existing["id"], False
    delegation_id = _delegation(db, user, doc["delegation"])
    with files.placing(staged):
        return _insert_visit(db, forms, user, doc, photos, delegation_id)


def _insert_visit(db, forms, user, doc, photos, delegation_id):
    host = doc["host"]
    unit_id = units_sql.ensure_unit(db, host["unit"], host.get("locality", ""))
    visit_id = insert_visit_row(db, forms.get(doc["form"]), user, doc["uuid"], delegation_id, unit_id,
                                doc["started_at"], _fields(doc))
    at = now_utc()
    if doc.get("ended_at"):
        sql.touch_visit(db, visit_id, at, ended_at=doc["ended_at"])
    for item in _items(doc, photos):
        sql.insert_item(db, visit_id=visit_id, updated_at=at, updated_by=user["id"],
                        uid=str(uuidlib.uuid4()), **item)
    for photo in filter(None, photos):
        sql.insert_photo(db, photo["sha256"], photo["content_type"], photo["width"], photo["height"],
                         photo["size"], at)
    sql.touch_visit(db, visit_id, at, status="in_progress")
    after_change(db, visit_id)
    audit.record(db, user, "visit.import", "visit", visit_id, {"uuid": doc["uuid"], "form": doc["form"]})
    return visit_id, True


def _delegation(db, user, data: dict) -> int:
    found = delegations_sql.find_delegation(db, data["name"], data["body"])
    if found is not None:
        if not can_import_into(db, user, found["id"]):
            raise Forbidden(N_("Tài khoản không thuộc đoàn này."))
        return found["id"]
    members = [{**m, "user_id": delegations_sql.user_id_by_full_name(db, m["name"])}
               for m in data.get("members", [])]
    values = {k: data.get(k, "") for k in ("name", "body", "parent_body", "topic")}
    return _insert_with_members(db, {**values, "created_at": now_utc()}, members)


def _fields(doc: dict) -> dict:
    report, host, conclusion = doc.get("report", {}), doc["host"], doc.get("conclusion", {})
    fields = {"host.place": host.get("place"), "host.locality": host.get("locality"),
              "report.summary": report.get("summary"),
              "report.period.from": report.get("period", {}).get("from"),
              "report.period.to": report.get("period", {}).get("to"),
              "conclusion.by": conclusion.get("by"), "conclusion.text": conclusion.get("text"),
              "ended_at": doc.get("ended_at")}
    for key, value in report.get("indicators", {}).items():
        fields[f"indicators.{key}"] = value
    for key, answer in doc.get("checklist", {}).items():
        fields[f"checklist.{key}.value"] = answer.get("value")
        fields[f"checklist.{key}.note"] = answer.get("note")
    return fields


def _items(doc: dict, photos: list) -> list[dict]:
    items = [{"kind": "attendee", "position": i + 1, "data": {"side": "host", **a}}
             for i, a in enumerate(doc["host"].get("attendees", []))]
    for key, kind in LIST_KINDS:
        items += [{"kind": kind, "position": i + 1, "data": dict(entry)}
                  for i, entry in enumerate(doc.get(key, []))]
    for i, photo in enumerate(doc.get("photos", [])):
        data = {k: photo[k] for k in ("caption", "credit") if k in photo}
        if photos[i]:
            data["sha256"] = photos[i]["sha256"]
        items.append({"kind": "photo", "position": i + 1, "data": data})
    return items


# ----------------------------------------------------------------- export

def export_document(store, visit_id: int, photos_dir: Path | None = None, photo_bytes=None,
                    annotated: bool = False) -> dict:
    """The visit document; with `photos_dir`, each photo's `data` is the stored file,
    or what `photo_bytes(path)` makes of it (the minutes: the printed size); with
    `annotated` (the minutes), a photo's newest annotated copy instead of the original."""
    return store.read(_export, visit_id, photos_dir, photo_bytes or Path.read_bytes, annotated)


def _export(db, visit_id, photos_dir, photo_bytes, annotated=False) -> dict:
    visit = sql.get_visit(db, visit_id)
    delegation = delegations_sql.get_delegation(db, visit["delegation_id"])
    unit = units_sql.get_unit(db, visit["unit_id"])
    fields = {path: f["value"] for path, f in sql.fields_of(db, visit_id).items()}
    items = sql.items_of(db, visit_id)
    doc = {"format": FORMAT, "uuid": visit["uuid"], "form": visit["form_id"],
           "delegation": _export_delegation(db, delegation),
           "host": {"unit": unit["name"], "place": fields.get("host.place") or "",
                    "locality": fields.get("host.locality") or "",
                    "attendees": [{k: v for k, v in i["data"].items() if k != "side"}
                                  for i in items if i["kind"] == "attendee" and i["data"].get("side") == "host"]},
           "started_at": visit["started_at"]}
    if visit["ended_at"]:
        doc["ended_at"] = visit["ended_at"]
    doc["report"] = _export_report(fields)
    checklist = _export_checklist(fields)
    if checklist:
        doc["checklist"] = checklist
    for key, kind in LIST_KINDS:
        doc[key] = [dict(i["data"]) for i in items if i["kind"] == kind]
    if fields.get("conclusion.by") or fields.get("conclusion.text"):
        doc["conclusion"] = {"by": fields.get("conclusion.by") or "", "text": fields.get("conclusion.text") or ""}
    copies = sql.annotated_photos(db, visit_id) if annotated else {}
    doc["photos"] = [_export_photo(db, i["data"], photos_dir, photo_bytes, copies.get(i["uid"]))
                     for i in items if i["kind"] == "photo"]
    return _reorder(doc)


def _export_delegation(db, delegation: dict) -> dict:
    members = [{"name": m["name"], "title": m["title"], "role": m["role"]}
               for m in delegations_sql.list_members(db, delegation["id"])]
    return {"name": delegation["name"], "body": delegation["body"],
            "parent_body": delegation["parent_body"], "topic": delegation["topic"], "members": members}


def _export_report(fields: dict) -> dict:
    report = {}
    if fields.get("report.summary") is not None:
        report["summary"] = fields["report.summary"]
    if fields.get("report.period.from") or fields.get("report.period.to"):
        report["period"] = {"from": fields.get("report.period.from"), "to": fields.get("report.period.to")}
    report["indicators"] = {path.split(".", 1)[1]: value for path, value in sorted(fields.items())
                            if path.startswith("indicators.") and value is not None}
    return report


def _export_checklist(fields: dict) -> dict:
    checklist: dict = {}
    for path, value in sorted(fields.items()):
        if path.startswith("checklist.") and value not in (None, ""):
            key, _, part = path[len("checklist."):].rpartition(".")
            checklist.setdefault(key, {"value": None, "note": ""})[part] = value
    return checklist


def _export_photo(db, data: dict, photos_dir, photo_bytes, annotated: dict | None = None) -> dict:
    photo = {k: data[k] for k in ("caption", "credit") if k in data}
    if data.get("sha256") and photos_dir is not None:
        stored = annotated or sql.get_photo(db, data["sha256"])
        if stored:
            raw = photo_bytes(photo_path(photos_dir, stored["sha256"], stored["content_type"]))
            photo["data"] = base64.b64encode(raw).decode()
    return photo


ORDER = ["format", "uuid", "form", "delegation", "host", "started_at", "ended_at", "report", "checklist",
         "difficulties", "proposals", "opinions", "conclusion", "recommendations", "photos"]


def _reorder(doc: dict) -> dict:
    return {key: doc[key] for key in ORDER if key in doc}
