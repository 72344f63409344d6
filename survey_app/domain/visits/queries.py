"""Read views of visits as plain values for the pages: the list a user may see,
the capture page's fields with their versions, and the overview a secretary reads
top to bottom before producing the minutes (biên bản)."""
from __future__ import annotations

import datetime as dt

from survey_app.checklists.spec import own_text
from survey_app.checklists.types import ITEM_TYPES, show_answer
from survey_app.clock import VN_TZ
from survey_app.markers import N_
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import visits as sql
from survey_app.storage import units as units_sql
from survey_app.domain import access
from survey_app.domain.followup.operations import default_due
from survey_app.domain.errors import DomainError, labels
from survey_app.domain.visits.operations import EDITABLE_STATUSES, SIDE_LABELS, STATUS_LABELS, STATUSES

LIST_KINDS = ("attendee", "difficulty", "proposal", "opinion", "recommendation", "photo")


def find_visits(store, user: dict, filters: dict) -> list[dict]:
    """Visits matching the filters that this user may see, newest first (one query:
    the user's scope is part of its WHERE)."""
    rows = store.read(sql.search_visits, scope=access.scope(user), **filters, limit=500)
    return [_summary(row) for row in rows]



PAGE_SIZE = 50


def list_page(store, user: dict, filters: dict, page: int = 1, page_size: int = PAGE_SIZE) -> dict:
    """One page of the visits this user may see, as the API lists them (`filters`:
    delegation_id, unit_id, status, text), newest first."""
    if filters.get("status") and filters["status"] not in STATUSES:
        raise DomainError(N_("Vui lòng chọn một trạng thái hợp lệ: %(statuses)s."), "status",
                          statuses=labels(STATUS_LABELS, STATUSES))
    rows = store.read(sql.search_visits, scope=access.scope(user), **filters, limit=page_size + 1,
                      offset=(page - 1) * page_size)
    return {"visits": [{key: row[key] for key in ("id", "uuid", "unit_id", "unit_name", "delegation_id",
                                                   "started_at", "status")} for row in rows[:page_size]],
            "page": page, "has_next": len(rows) > page_size}

def _summary(row: dict) -> dict:
    return {"id": row["id"], "unit_name": row["unit_name"], "delegation_name": row["delegation_name"],
            "started_at": row["started_at"], "status": row["status"],
            "status_label": STATUS_LABELS[row["status"]]}


def _header(db, visit: dict, form) -> dict:
    fields = sql.fields_of(db, visit["id"])
    delegation = delegations_sql.get_delegation(db, visit["delegation_id"])
    return {"id": visit["id"], "status": visit["status"], "status_label": STATUS_LABELS[visit["status"]],
            "editable": visit["status"] in EDITABLE_STATUSES,
            "delegation_name": visit["delegation_name"], "delegation_body": visit["delegation_body"],
            "delegation_topic": visit["delegation_topic"] or "",
            "follow_up_days": delegation["follow_up_days"],
            "unit_name": visit["unit_name"], "started_at": visit["started_at"],
            "ended_at": visit["ended_at"] or "",
            "place": _value(fields, "host.place") or "", "locality": _value(fields, "host.locality") or "",
            "form_title": form.title, "form_version": form.version, "form_id": form.id}


def _value(fields: dict, path: str):
    return (fields.get(path) or {}).get("value")


def _items_by_kind(db, visit_id: int) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {kind: [] for kind in LIST_KINDS}
    copies = sql.annotated_photos(db, visit_id)
    for item in sql.items_of(db, visit_id):
        grouped[item["kind"]].append({"uid": item["uid"], "version": item["version"],
                                      "position": item["position"], "data": item["data"],
                                      # the file a photo shows: its newest annotated copy, or as taken
                                      "shown": (copies.get(item["uid"]) or item["data"]).get("sha256")})
    return grouped


def _indicator_values(fields: dict) -> dict:
    return {path.split(".", 1)[1]: f["value"] for path, f in fields.items()
            if path.startswith("indicators.") and f["value"] is not None}


# ----------------------------------------------------------------- capture page

def capture_data(store, forms, visit_id: int, user: dict | None = None, locale: str = "vi") -> dict:
    """Everything the capture page shows, with the version of every field and item
    (the rule warnings in `locale`);
    the unit names offered are those the visit already names (the directory's search,
    scoped to the user, suggests the others)."""
    def read(db):
        visit = sql.get_visit(db, visit_id)
        form = forms.for_visit(db, visit)
        fields = sql.fields_of(db, visit_id)
        evaluation = form.evaluate(_indicator_values(fields))
        members = delegations_sql.list_members(db, visit["delegation_id"])
        return {"visit": _header(db, visit, form), "form": form, "fields": fields,
                "items": _items_by_kind(db, visit_id), "members": [m["name"] for m in members],
                "computed": evaluation.computed, "warnings": evaluation.messages(locale),
                # the addressee fields suggest these offline; online, the directory's
                # search (static/js/unit-picker.js), not every unit of the country
                "units": units_sql.names_of_visit(db, visit_id),
                "local_times": {key: _local(visit[key]) for key in ("started_at", "ended_at")}}
    return store.read(read)


def blank_capture_data(store, form, user: dict | None = None, locale: str = "vi") -> dict:
    """The capture page of a visit not on the server yet, for one form: what a tablet
    shows for a visit planned without network (the page fills in the plan from its
    store). Members and units are those the plan page offers."""
    def read(db):
        # The form's defaults as the server will hold them once the visit is made (each
        # field's version 1), so an edit made on the tablet before then applies cleanly.
        fields = {path: {"value": value, "version": 1} for path, value in form.defaults().items()}
        evaluation = form.evaluate(_indicator_values(fields))
        ids = access.planning_delegation_ids(db, user) if user is not None else None
        delegations = sql.delegation_options(db, ids=ids)
        members = {m["name"]: None for d in delegations for m in delegations_sql.list_members(db, d["id"])}
        visit = {"id": 0, "status": "planned", "status_label": STATUS_LABELS["planned"], "editable": True,
                 "unit_name": "", "delegation_name": "", "started_at": "", "ended_at": "",
                 "form_id": form.id, "form_title": form.title, "form_version": form.version}
        return {"visit": visit, "form": form, "fields": fields, "items": {kind: [] for kind in LIST_KINDS},
                "members": list(members), "computed": evaluation.computed,
                "warnings": evaluation.messages(locale),
                "units": [],  # suggested by the directory's search while online
                "local_times": {"started_at": "", "ended_at": ""}}
    return store.read(read)


def _local(value: str | None) -> str:
    """An ISO moment as the `datetime-local` value of Vietnam time (`2025-10-13T08:00`)."""
    if not value:
        return ""
    return dt.datetime.fromisoformat(value).astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M")


# ----------------------------------------------------------------- overview

def visit_overview(store, forms, visit_id: int, locale: str = "vi") -> dict:
    """The whole record of a visit as plain values, in the order of the minutes;
    answers shown as the item types' registry shows them in that language."""
    def read(db):
        visit = sql.get_visit(db, visit_id)
        form = forms.for_visit(db, visit)
        fields = sql.fields_of(db, visit_id)
        items = _items_by_kind(db, visit_id)
        header = {**_header(db, visit, form), "form_title": own_text(form, "title", locale)}
        answers = {key: _value(fields, f"checklist.{key}.value") for key in form.item_keys}
        return {"visit": header,
                "attendees": [{**i["data"], "side_label": SIDE_LABELS.get(i["data"].get("side", "host"), "")}
                              for i in items["attendee"]],
                "report": _report(form, fields, locale),
                "checklist": _checklist(form, fields, locale, form.relevant_items(answers)),
                "difficulties": [i["data"] for i in items["difficulty"]],
                "proposals": [i["data"] for i in items["proposal"]],
                "opinions": [i["data"] for i in items["opinion"]],
                "conclusion": {"by": _value(fields, "conclusion.by") or "",
                               "text": _value(fields, "conclusion.text") or ""},
                "recommendations": _recommendations(items["recommendation"], header),
                "photos": [{"uid": i["uid"], "has_file": bool(i["data"].get("sha256")), **i["data"]}
                           for i in items["photo"]],
                "missing": [own_text(form.items[key], "label", locale)
                            for key in form.missing_required(answers)]}
    return store.read(read)


def _report(form, fields: dict, locale: str = "vi") -> dict:
    evaluation = form.evaluate(_indicator_values(fields))
    figures = [{"key": i.key, "label": own_text(i, "label", locale), "unit": own_text(i, "unit", locale),
                "computed": False, "value": _value(fields, f"indicators.{i.key}")} for i in form.indicators]
    figures += [{"key": c.key, "label": own_text(c, "label", locale), "unit": own_text(c, "unit", locale),
                 "computed": True,
                 "value": evaluation.computed.get(c.key), "decimals": c.decimals} for c in form.computed]
    return {"summary": _value(fields, "report.summary") or "",
            "period_from": _value(fields, "report.period.from") or "",
            "period_to": _value(fields, "report.period.to") or "",
            "figures": figures, "warnings": evaluation.messages(locale)}


def _checklist(form, fields: dict, locale: str, asked: dict[str, bool]) -> list[dict]:
    """Sections and rows of the items asked (skip logic hides the others)."""
    sections = []
    for section in form.sections:
        rows = []
        for item in section.items:
            if not asked[item.key]:
                continue
            value = _value(fields, f"checklist.{item.key}.value")
            blank = value is None or value == ""
            rows.append({"key": item.key, "label": own_text(item, "label", locale), "type": item.type,
                         "unit": own_text(item, "unit", locale),
                         "required": item.required, "value": value,
                         "display": "" if blank else show_answer(item, value, locale),
                         "shown_as": ITEM_TYPES[item.type].shown_as,
                         "note": _value(fields, f"checklist.{item.key}.note") or ""})
        if rows:
            sections.append({"title": own_text(section, "title", locale), "rows": rows})
    return sections


def _recommendations(items: list[dict], header: dict) -> list[dict]:
    due = default_due(header["started_at"], header["follow_up_days"])
    return [{"number": n, "text": i["data"].get("text", ""), "addressee": i["data"].get("addressee", ""),
             "due": i["data"].get("due") or due, "due_is_default": not i["data"].get("due")}
            for n, i in enumerate(items, start=1)]
