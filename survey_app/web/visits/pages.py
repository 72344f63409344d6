"""Visit pages: the list and search, planning a visit (also on a tablet without
network: the blank capture page of a form and the local visit's address), the capture
page with its autosave and photo routes (session + CSRF header), and the overview."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, HiddenField, SearchField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from survey_app.checklists.types import ITEM_TYPES
from survey_app.checklists.wtf import select_choices
from survey_app.domain.visits import queries as overview
from survey_app.domain.visits import annotations, live, photos as visit_photos
from survey_app.domain import access
from survey_app.domain.unit_reports import views as unit_reports
from survey_app.domain.errors import DomainError, Forbidden, NotFound
from survey_app.domain.visits.operations import (
    STATUS_LABELS,
    STATUSES,
    load_visit,
    plan_visit,
    plan_visit_once,
)
from survey_app.clock import VN_TZ
from survey_app.domain.directory import units
from survey_app.markers import N_
from survey_app.storage import visits as visits_sql
from survey_app.web import api
from survey_app.web import errors
from survey_app.web import nav
from survey_app.web.context import current_user, get_forms, get_store, photos_dir
from survey_app.web.i18n import locale, own_language
from survey_app.web.inputs import client_id, int_value, json_body, json_object

bp = Blueprint("visits", __name__, url_prefix="/visits")
bp.add_app_template_global(ITEM_TYPES, "item_types")  # the capture page's macro per item type
nav.add_entry("visits.index", N_("Buổi khảo sát"), access.USER_ROLES)
errors.json_pages("visits.changes", "visits.live_changes", "visits.upload_photo", "visits.use_original_photo",
                   "visits.from_device")


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(N_("Tìm kiếm"), validators=[Optional(), Length(max=200)])
    # The unit picker (templates/_unit_picker.html): the chosen id, or the typed name.
    unit = HiddenField(validators=[Optional(), Regexp(r"^\d{0,12}$")])
    unit_name = StringField(N_("Đơn vị"), validators=[Optional(), Length(max=300)])
    delegation = SelectField(N_("Đoàn"), coerce=str, validators=[Optional()])
    status = SelectField(N_("Trạng thái"), validators=[Optional()],
                         choices=select_choices([("", _l("Tất cả"))] + [(s, _l(STATUS_LABELS[s])) for s in STATUSES]))
    date_from = DateField(N_("Từ ngày"), validators=[Optional()])
    date_to = DateField(N_("Đến ngày"), validators=[Optional()])


class PlanForm(FlaskForm):
    delegation = SelectField(N_("Đoàn khảo sát"), coerce=int, validators=[DataRequired()])
    unit = StringField(N_("Đơn vị được khảo sát"), validators=[DataRequired(), Length(max=300)])
    place = StringField(N_("Địa điểm làm việc"), validators=[Optional(), Length(max=300)])
    locality = StringField(N_("Địa bàn (xã, phường)"), validators=[Optional(), Length(max=300)])
    started_at = DateTimeLocalField(N_("Thời gian bắt đầu (giờ Việt Nam)"), format="%Y-%m-%dT%H:%M",
                                    validators=[DataRequired(message=N_("Nhập ngày giờ dạng dd/mm/yyyy hh:mm."))])
    # Named "form" in the page: the tablet's plan.js reads it under that name.
    checklist_form = SelectField(N_("Biểu mẫu khảo sát"), validators=[DataRequired()], name="form")


def _options(form) -> None:
    """The choices a user may pick: the units and delegations of their scope in the
    filters; the delegations they may plan for in the plan form."""
    store, user = get_store(), current_user()
    blank = [("", _("Tất cả"))]
    if isinstance(form, FilterForm):
        scope = access.scope(user)
        form.delegation.choices = select_choices(blank + [(str(d["id"]), d["name"])
                                                          for d in store.read(visits_sql.delegation_options, scope)])
    else:
        ids = store.read(access.planning_delegation_ids, user)
        form.delegation.choices = select_choices([(d["id"], d["name"]) for d in
                                                  store.read(visits_sql.delegation_options, ids=ids)])
        form.checklist_form.choices = select_choices([(f.id, f"{own_language(f, 'title')} (v{f.version})") for f in get_forms()])


def _filters(form: FilterForm) -> dict:
    data = form.data if form.validate() else {}  # the choices are ids: digits or ""
    return {"text": (data.get("q") or "").strip(), "unit_id": _unit_filter(data),
            "delegation_id": int_value(data.get("delegation") or "", "delegation"),
            "status": data.get("status") or None,
            "date_from": data.get("date_from") and data["date_from"].isoformat(),
            "date_to": data.get("date_to") and data["date_to"].isoformat()}


def _unit_filter(data: dict) -> int | None:
    """The picker's unit id; without script, the typed name matched after folding (a
    name matching no unit matches no visit)."""
    unit_id = int_value(data.get("unit") or "", "unit")
    name = (data.get("unit_name") or "").strip()
    if unit_id is not None or not name:
        return unit_id
    found = units.resolve_name(get_store(), name)
    return found["id"] if found else 0


@bp.get("")
def index():
    form = FilterForm(request.args)
    _options(form)
    visits = overview.find_visits(get_store(), current_user(), _filters(form))
    return render_template("visits/list.html", form=form, visits=visits, unit_id=form.unit.data or "",
                           reported=unit_reports.reported_marks(get_store(), [v["id"] for v in visits]),
                           can_plan=access.can_plan_visits(current_user()),
                           can_manage_delegations=access.can_manage_delegations(current_user()))


def _require_planner() -> None:
    if not access.can_plan_visits(current_user()):
        raise Forbidden(N_("Tài khoản không có quyền lập kế hoạch khảo sát."))


@bp.route("/new", methods=["GET", "POST"])
def new():
    _require_planner()
    form = PlanForm()
    _options(form)
    if form.validate_on_submit():
        try:
            visit_id = plan_visit(get_store(), get_forms(), current_user(), delegation_id=form.delegation.data,
                                  unit=_picked_unit(form), form_id=form.checklist_form.data,
                                  place=form.place.data or "",
                                  locality=form.locality.data or "",
                                  started_at=form.started_at.data.replace(tzinfo=VN_TZ).isoformat())
        except DomainError as error:
            form.checklist_form.errors.append(errors.refusal_text(error))
        else:
            url = url_for("visits.capture", visit_id=visit_id)
            if request.accept_mimetypes.best == "application/json":  # plan.js, which can fall back offline
                return jsonify({"ok": True, "id": visit_id, "url": url})
            return redirect(url)
    status = 400 if request.method == "POST" else 200
    return render_template("visits/plan.html", form=form, unit_id=request.form.get("unit_id", "")), status


def _picked_unit(form: PlanForm) -> str:
    """The unit's name: the one the picker chose (`unit_id`), else the name typed, which
    the plan matches in the directory after folding (a new name makes a new unit)."""
    unit_id = int_value(request.form.get("unit_id", "").strip(), "unit")
    return units.chosen(get_store(), current_user(), unit_id)["name"] if unit_id else form.unit.data


@bp.post("/from-device")
def from_device():
    """A visit planned on the tablet without network: made once per client uuid, so the
    outbox can send it again safely; the answer gives the server id for the tablet's links."""
    data = json_object()
    uuid = client_id(data.get("uuid"), "uuid")
    visit_id, created = plan_visit_once(
        get_store(), get_forms(), current_user(), uuid=uuid, delegation_id=data.get("delegation"),
        unit=data.get("unit", ""), form_id=data.get("form", ""), started_at=data.get("started_at", ""),
        place=data.get("place", ""), locality=data.get("locality", ""))
    return jsonify({"ok": True, "id": visit_id, "created": created,
                    "url": url_for("visits.capture", visit_id=visit_id)}), 201 if created else 200


@bp.get("/blank/<form_id>/capture")
def blank_capture(form_id):
    """The capture page of an empty visit of a form, kept by the tablet (plan.js) so a
    visit planned without network opens at /visits/local/<uuid>/capture (sw.js)."""
    _require_planner()
    form = get_forms().get(form_id)
    if form is None:
        raise NotFound(N_("Không tìm thấy biểu mẫu."))
    return render_template("visits/capture.html", **overview.blank_capture_data(get_store(), form, current_user(), locale()),
                           readonly=False, blank=True)


@bp.get("/local/<uuid>/capture")
def local_capture(uuid):
    """The tablet's address of a visit it planned offline; once the server has the visit,
    its page. Without the tablet's copy and before sync there is nothing to show here."""
    existing = get_store().read(visits_sql.get_visit_by_uuid, uuid)
    if existing is None:
        raise NotFound(N_("Buổi khảo sát này chưa được đồng bộ lên máy chủ."))
    load_visit(get_store(), existing["id"], current_user())
    return redirect(url_for("visits.capture", visit_id=existing["id"]))


@bp.get("/<int:visit_id>")
def show(visit_id):
    visit = load_visit(get_store(), visit_id, current_user())
    data = overview.visit_overview(get_store(), get_forms(), visit_id, locale=locale())
    return render_template("visits/overview.html", **data, can_edit=_can_edit(visit))


@bp.get("/<int:visit_id>/capture")
def capture(visit_id):
    visit = load_visit(get_store(), visit_id, current_user())
    data = overview.capture_data(get_store(), get_forms(), visit_id, current_user(), locale())
    readonly = not (data["visit"]["editable"] and _can_edit(visit))
    return render_template("visits/capture.html", **data, readonly=readonly,
                           unit_report=unit_reports.capture_figures(get_store(), visit),
                           live_since=None if readonly else live.start_cursor(get_store(), visit_id))


@bp.post("/<int:visit_id>/capture/changes")
def live_changes(visit_id):
    """The capture page's poll: the others' changes after its cursor and who is where.
    A POST with the session's CSRF header, not a GET: each poll records the member's
    section (a write), which a page of another site must not be able to make."""
    visit = live.load_for_live(get_store(), current_user(), visit_id)
    data = json_object({"since", "section"})
    answer = live.live_update(get_store(), current_user(), visit, data.get("since"), data.get("section"))
    for change in answer["changes"]:  # where the page loads a photo another member added or drew on
        if change.get("shown"):
            change["url"] = url_for("visits.photo", visit_id=visit_id, uid=change["item"], v=change["shown"][:12])
    return jsonify(answer)


@bp.post("/<int:visit_id>/changes")
def changes(visit_id):
    return api.apply_messages(visit_id, json_body())


@bp.post("/<int:visit_id>/photos")
def upload_photo(visit_id):
    load_visit(get_store(), visit_id, current_user(), edit=True)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError(N_("Vui lòng chọn tệp ảnh."), "file")
    if request.form.get("annotates"):  # the annotated copy of a photo item (photo-annotate.js)
        created, result = annotations.add_annotation(
            get_store(), current_user(), visit_id, photos_dir(), upload.stream,
            annotates=request.form["annotates"], uid=request.form.get("item") or None)
    else:
        created, result = visit_photos.add_photo(
            get_store(), get_forms(), current_user(), visit_id, photos_dir(), upload.stream,
            uid=request.form.get("item", ""), caption=request.form.get("caption", ""),
            credit=request.form.get("credit", ""), checklist_item=request.form.get("checklist_item", ""),
            for_item=request.form.get("for_item", ""))
    # `v`: the file shown changes when an annotated copy comes (the photo is cached an hour)
    result["url"] = url_for("visits.photo", visit_id=visit_id, uid=result["item"], v=result["sha256"][:12])
    return jsonify({"ok": True, **result}), 201 if created else 200


@bp.post("/<int:visit_id>/photos/<uid>/original")
def use_original_photo(visit_id, uid):
    """"Dùng ảnh gốc": the photo as taken is shown and printed again instead of its
    annotated copy. 200 {ok, changed, item, sha256, url}."""
    changed, result = annotations.use_original(get_store(), current_user(), visit_id, uid)
    result["url"] = url_for("visits.photo", visit_id=visit_id, uid=uid, v=result["sha256"][:12])
    return jsonify({"ok": True, "changed": changed, **result})


@bp.get("/<int:visit_id>/photos/<uid>")
def photo(visit_id, uid):
    """The photo as the minutes print it (its annotated copy if any); `?original=1`: as taken."""
    load_visit(get_store(), visit_id, current_user())
    path, content_type = visit_photos.photo_file(get_store(), visit_id, uid, photos_dir(),
                                                 original=request.args.get("original") == "1")
    response = send_file(path, mimetype=content_type, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _can_edit(visit: dict) -> bool:
    return get_store().read(access.can_edit_visit, current_user(), visit)

