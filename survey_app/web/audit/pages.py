"""The audit page (nhật ký hệ thống): filter the trail by action, actor and object, page
through it, export what the filters select as CSV (UTF-8 with BOM, for Excel)."""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, render_template, request

from survey_app.domain import audit
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.storage import audit as sql
from survey_app.web import nav
from survey_app.web.context import current_user, get_store

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
nav.add_entry("audit.index", N_("Nhật ký hệ thống"), {"admin"})
CSV_HEADER = (N_("Số"), N_("Thời điểm (UTC)"), N_("Người thực hiện"), N_("Thao tác"),
              N_("Loại đối tượng"), N_("Mã đối tượng"), N_("Chi tiết"))


def audit_filters() -> dict:
    """The filters from the query string (unknown names are ignored, each value bounded)."""
    filters = {}
    for name in sql.FILTERS:
        value = request.args.get(name, "").strip()
        if len(value) > 200:
            raise DomainError(N_("Vui lòng nhập giá trị lọc tối đa 200 ký tự."), name)
        filters[name] = value
    return filters


def page_number() -> int:
    text = request.args.get("page", "1").strip() or "1"
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise DomainError(N_("Số trang không hợp lệ: vui lòng nhập một số nguyên dương."), "page")
    return int(text)


@bp.get("/")
def index():
    filters = audit_filters()
    result = audit.list_entries(get_store(), current_user(), filters, page_number())
    return render_template("audit/index.html", filters=filters, result=result,
                           actions=get_store().read(sql.actions))


@bp.get("/audit.csv")
def export():
    entries = audit.all_entries(get_store(), current_user(), audit_filters())
    out = io.StringIO()
    writer = csv.writer(out)
    from flask_babel import gettext as _
    writer.writerow([_(label) for label in CSV_HEADER])
    for entry in entries:
        writer.writerow([entry["id"], entry["at"], _safe(entry["actor"]), entry["action"],
                         entry["object_type"], _safe(entry["object_id"]),
                         _safe(json.dumps(entry["details"], ensure_ascii=False, sort_keys=True))])
    return Response("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=nhat-ky.csv"})


def _safe(text: str) -> str:
    """A cell Excel must not read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
