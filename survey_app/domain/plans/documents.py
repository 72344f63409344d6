"""The plan's two documents, PDF and DOCX: the plan (Kế hoạch khảo sát) and the report
outline of one form (Đề cương báo cáo), for the delegation's people and the hosts of the
units in its schedule. Both are rendered from the plan as it is now (they are not signed
here); the chain is the minutes': plain context → HTML → PDF/A bytes (documents/render.py)."""
from __future__ import annotations

from survey_app.documents import render_html, render_pdf
from survey_app.domain.access import can_read_plan
from survey_app.domain.errors import DomainError, NotFound
from survey_app.domain.plans.context import outline_context, plan_context, report_due
from survey_app.domain.plans.docx import render_docx
from survey_app.domain.plans.operations import period_text, plan_fields
from survey_app.markers import N_
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import plans as sql

PLAN_TEMPLATE, OUTLINE_TEMPLATE = "plans/ke_hoach.html", "plans/de_cuong.html"
NOT_FOUND = N_("Không tìm thấy kế hoạch khảo sát.")


def _readable(db, user: dict, delegation_id: int) -> dict:
    delegation = delegations_sql.get_delegation(db, delegation_id)
    if delegation is None or not can_read_plan(db, user, delegation_id):
        raise NotFound(NOT_FOUND, "id")
    return delegation


def _visible_rows(db, user: dict, delegation_id: int) -> list[dict]:
    """The schedule a reader downloads: a host's outline is that of their own visit."""
    rows = sql.schedule(db, delegation_id)
    return [row for row in rows if row["unit_id"] == user["unit_id"]] if user["role"] == "host" else rows


def _forms_of(db, forms, rows: list[dict]) -> list:
    found = {}
    for row in rows:
        found.setdefault(row["form_hash"], forms.for_visit(db, row))
    return list(found.values())


def plan_document(store, forms, user: dict, delegation_id: int) -> dict:
    """The plan's context (everyone who may read it reads the same plan)."""
    def read(db):
        delegation = _readable(db, user, delegation_id)
        rows = sql.schedule(db, delegation_id)
        members = delegations_sql.list_members(db, delegation_id)
        return plan_context(delegation, members, plan_fields(db, delegation), rows, _forms_of(db, forms, rows),
                            period_text(delegation))
    return store.read(read)


def outline_document(store, forms, user: dict, delegation_id: int, form_id: str | None) -> dict:
    """The outline of one form of the plan (`form_id`, or the plan's only form); a
    host's names their unit and the date their report is due."""
    def read(db):
        delegation = _readable(db, user, delegation_id)
        rows = _visible_rows(db, user, delegation_id)
        form, row = _pick_form(db, forms, user, rows, form_id)
        plan = plan_fields(db, delegation)
        if user["role"] != "host":
            return outline_context(delegation, plan, form)
        return outline_context(delegation, plan, form, report_due(row["started_at"], plan["report_days"]),
                               row["unit_name"])
    return store.read(read)


def _pick_form(db, forms, user: dict, rows: list[dict], form_id: str | None):
    if not form_id:
        ids = sorted({row["form_id"] for row in rows})
        if len(ids) != 1:
            raise DomainError(N_("Vui lòng chọn biểu mẫu của đề cương (một trong: %(forms)s)."), "form",
                              forms=", ".join(ids) or "—")
        form_id = ids[0]
    matching = [row for row in rows if row["form_id"] == form_id]
    if matching:
        return forms.for_visit(db, matching[-1]), matching[-1]
    form = forms.get(form_id) if user["role"] != "host" else None
    if form is None:
        raise NotFound(N_("Không tìm thấy biểu mẫu '%(form_id)s' trong kế hoạch khảo sát."), "form",
                       form_id=form_id)
    return form, None


def pdf(context: dict, template: str) -> bytes:
    return render_pdf(render_html(context, template))


def docx(context: dict, outline: bool = False) -> bytes:
    return render_docx(context, outline)
