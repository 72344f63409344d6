"""What the report is made of, read from a delegation's visits: the units visited,
their figures side by side with the totals (computed indicators recomputed on the
totals, never averaged), the checklist answers counted across units, and the
difficulties and proposals grouped with the units that raised them."""
from __future__ import annotations

import unicodedata

from survey_app.checklists.types import ITEM_TYPES, show_answer
from survey_app.markers import N_
from survey_app.domain.errors import Conflict
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import survey_reports as sql

NO_VISITS = N_("Đoàn chưa có buổi khảo sát nào; vui lòng lập và hoàn thành các buổi khảo sát "
               "trước khi lập báo cáo kết quả khảo sát.")
NOT_FINAL = N_("Vui lòng thông qua biên bản của các buổi khảo sát trước khi lập báo cáo: "
               "%(units)s chưa có biên bản đã thông qua.")
LIST_KINDS = ("difficulty", "proposal")


def _key(text: str) -> str:
    """Two texts that differ only in case, spacing or Unicode form are one point."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split()).rstrip(".;")


def check_visits(visits: list[dict]) -> None:
    """Refuse (409) a report of a delegation without visits or with visits not final."""
    if not visits:
        raise Conflict(NO_VISITS, "visits")
    open_ = [v["unit_name"] for v in visits if v["status"] not in sql.FINAL_VISIT_STATUSES]
    if open_:
        raise Conflict(NOT_FINAL, "visits", units=", ".join(dict.fromkeys(open_)))


def gather(store, forms, delegation_id: int) -> dict:
    """The plain material of the report (no wording, no number): see the module docstring."""
    visits = store.read(sql.visits_of, delegation_id)
    check_visits(visits)
    ids = [v["id"] for v in visits]
    fields = store.read(sql.fields_of_visits, ids)
    items = store.read(sql.items_of_visits, ids, LIST_KINDS)
    reported = store.read(sql.reported_figures, ids)
    form = store.read(forms.for_visit, visits[-1])
    units = [{"visit_id": v["id"], "unit": v["unit_name"], "locality": v["unit_locality"] or "",
              "date": v["started_at"][:10], "place": fields[v["id"]].get("host.place") or ""} for v in visits]
    return {
        "delegation": _delegation(store, delegation_id), "units": units, "form_title": form.title,
        "period": {"from": units[0]["date"], "to": units[-1]["date"]},
        **comparison(form, [fields[i] for i in ids], [reported.get(i, {}) for i in ids]),
        "checklist": checklist_summary(form, [fields[i] for i in ids], [u["unit"] for u in units]),
        "difficulties": grouped([(u["unit"], i["data"]) for u, i in _items(units, items, "difficulty")]),
        "proposals": grouped([(u["unit"], i["data"]) for u, i in _items(units, items, "proposal")],
                             with_addressee=True),
    }


def _items(units: list[dict], items: dict, kind: str):
    for unit in units:
        for item in items[unit["visit_id"]]:
            if item["kind"] == kind and (item["data"].get("text") or "").strip():
                yield unit, item


def _delegation(store, delegation_id: int) -> dict:
    delegation = store.read(delegations_sql.get_delegation, delegation_id)
    members = [{"name": m["name"], "title": m["title"], "role": m["role"]}
               for m in store.read(delegations_sql.list_members, delegation_id)]
    return {"id": delegation_id, "name": delegation["name"], "body": delegation["body"],
            "parent_body": delegation["parent_body"], "topic": delegation["topic"],
            "kind": delegation.get("kind") or "khao_sat", "decision_no": delegation.get("decision_no") or "",
            "decision_date": delegation.get("decision_date") or "", "symbol": delegation.get("symbol") or "",
            "follow_up_days": delegation["follow_up_days"], "members": members}


def comparison(form, unit_fields: list[dict], unit_reports: list[dict] | None = None) -> dict:
    """Each indicator per unit (as verified at the visit, and as the unit reported it
    beforehand) and its total; computed indicators per unit and on the totals.

    A reported percentage (unit `%`) has no meaningful sum: its total is left empty."""
    unit_reports = unit_reports or [{} for _ in unit_fields]
    figures = [{k.split(".", 1)[1]: v for k, v in f.items() if k.startswith("indicators.") and v is not None}
               for f in unit_fields]
    totals, rows = {}, []
    for indicator in form.indicators:
        values = [f.get(indicator.key) for f in figures]
        summable = indicator.unit != "%"
        present = [v for v in values if v is not None]
        total = sum(present) if summable and present else None
        if total is not None:
            totals[indicator.key] = total
        rows.append({"key": indicator.key, "label": indicator.label, "unit": indicator.unit,
                     "values": values, "total": total, "summable": summable,
                     "reported": [r.get(indicator.key) for r in unit_reports]})
    per_unit = [form.evaluate(f).computed for f in figures]
    on_totals = form.evaluate(totals).computed
    computed = [{"key": c.key, "label": c.label, "unit": c.unit, "decimals": c.decimals,
                 "values": [p.get(c.key) for p in per_unit], "total": on_totals.get(c.key)}
                for c in form.computed]
    return {"indicators": rows, "computed": computed}


def checklist_summary(form, unit_fields: list[dict], unit_names: list[str]) -> list[dict]:
    """For each item answered by choice: how many units gave each answer, and which."""
    rows = []
    for section in form.sections:
        for item in section.items:
            if not ITEM_TYPES[item.type].options(item):
                continue
            answers: dict[str, list[str]] = {}
            for name, fields in zip(unit_names, unit_fields):
                value = fields.get(f"checklist.{item.key}.value")
                if value not in (None, ""):
                    answers.setdefault(show_answer(item, value), []).append(name)
            if answers:
                rows.append({"section": section.title, "label": item.label,
                             "answers": [{"answer": a, "count": len(u), "units": u} for a, u in answers.items()]})
    return rows


def grouped(pairs: list[tuple[str, dict]], with_addressee: bool = False) -> list[dict]:
    """Points in the order first raised, each with the units that raised it."""
    groups: dict[tuple, dict] = {}
    for unit, data in pairs:
        addressee = (data.get("addressee") or "").strip() if with_addressee else ""
        key = (_key(data["text"]), _key(addressee))
        group = groups.setdefault(key, {"text": data["text"].strip(), "addressee": addressee, "units": []})
        if unit not in group["units"]:
            group["units"].append(unit)
    return list(groups.values())
