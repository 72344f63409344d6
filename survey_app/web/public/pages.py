"""Public pages of published survey reports: the list (filters by unit and status), a
report (HTML, JSON, PDF) and an Atom feed. No login; nothing but what was published.
Pages are the same for everyone (no account chrome), so caches may keep them:
`Cache-Control: public` (`no-store` for a signed-in visitor, as every signed-in
page) and an ETag that changes with any publication or any recommendation's status. Unknown or withdrawn reports answer a plain 404."""
from __future__ import annotations

import hashlib
from io import BytesIO

from flask import Blueprint, Response, current_app, g, jsonify, make_response, render_template, request, send_file

from survey_app.domain.errors import NotFound
from survey_app.domain.survey_report import public
from survey_app.web import i18n
from survey_app.web.context import get_store, minutes_env

bp = Blueprint("public", __name__, url_prefix="/public")
CACHE = "public, max-age=60, must-revalidate"
ENDPOINTS = {"public.index", "public.report", "public.report_json", "public.report_pdf", "public.feed"}


def _filters() -> tuple[int | None, str | None]:
    unit = request.args.get("unit", "")
    return (int(unit) if unit.isdigit() and len(unit) < 10 else None), (request.args.get("status") or None)


def _cached(response: Response) -> Response:
    """Public and revalidated by ETag: the data's revision, the URL and the language."""
    # the language the page was rendered in (a visitor's `?lang=` choice lives in their
    # session cookie): an ETag without it answered 304 to a page cached in the other one
    tag = hashlib.sha256(f"{public.revision(get_store())}|{request.full_path}|{i18n.locale()}"
                         .encode()).hexdigest()[:32]
    response.set_etag(tag)
    # the same page for everyone; still, nothing a signed-in user sees is stored (security.py)
    response.headers["Cache-Control"] = CACHE if g.get("user") is None else "no-store"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response.make_conditional(request)


def plain_404(_error=None):
    return Response("404 Not Found\n", status=404, mimetype="text/plain",
                    headers={"Cache-Control": "public, max-age=60"})


def _report(report_id: int, **filters) -> dict:
    try:
        return public.report(get_store(), report_id, **filters)
    except NotFound:
        raise _Missing() from None


class _Missing(Exception):
    """An unknown or withdrawn public report: a plain 404, nothing else said."""


bp.register_error_handler(_Missing, plain_404)


@bp.get("/")
def index():
    unit, status = _filters()
    reports = public.listing(get_store(), unit, status)
    html = render_template("public/index.html", reports=reports, units=public.units(get_store()),
                           unit=unit, status=status, statuses=public.STATUSES, labels=public.STATUS_LABELS)
    return _cached(make_response(html))


@bp.get("/reports/<int:report_id>")
def report(report_id):
    unit, status = _filters()
    data = _report(report_id, unit_id=unit, status=status)
    html = render_template("public/report.html", report=data, unit=unit, status=status,
                           statuses=public.STATUSES, labels=public.STATUS_LABELS)
    return _cached(make_response(html))


@bp.get("/reports/<int:report_id>.json")
def report_json(report_id):
    unit, status = _filters()
    data = _report(report_id, unit_id=unit, status=status)
    pdf_url = current_app.config["BASE_URL"].rstrip("/") + f"/public/reports/{report_id}.pdf"
    return _cached(jsonify(public.as_json(data, pdf_url)))


@bp.get("/reports/<int:report_id>.pdf")
def report_pdf(report_id):
    try:
        data = public.published_pdf(get_store(), minutes_env(), report_id)
    except NotFound:
        return plain_404()
    return _cached(send_file(BytesIO(data), mimetype="application/pdf",
                             download_name=f"bao-cao-{report_id}.pdf"))


@bp.get("/feed.atom")
def feed():
    base = current_app.config["BASE_URL"].rstrip("/")
    xml = render_template("public/feed.atom", reports=public.listing(get_store()), base=base)
    return _cached(Response(xml, mimetype="application/atom+xml"))
