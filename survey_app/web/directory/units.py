"""The units directory pages (admins): the list with its search box, a new unit,
editing (renaming) one, merging a duplicate into another, and the bulk import with
its dry run. `/units/search` is the unit pickers' JSON (everyone signed in, scoped).
Checks and saving are `domain/directory/units.py`'s and `unit_import.py`'s."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import npgettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField

from survey_app.checklists.wtf import select_choices
from survey_app.domain import access
from survey_app.domain.directory import unit_import, units
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.web import errors, nav
from survey_app.web.context import current_user, get_store
from survey_app.web.errors import refusal_text
from survey_app.web.inputs import int_arg, int_value, text_arg

bp = Blueprint("units", __name__, url_prefix="/units")
nav.add_entry("units.index", N_("Đơn vị"), {"admin"})
errors.json_pages("units.search")


class UnitForm(FlaskForm):
    name = StringField(N_("Tên đơn vị"))
    kind = SelectField(N_("Loại đơn vị"), choices=select_choices(
        [("", _l("Chưa phân loại"))] + [(k, _l(units.KIND_LABELS[k])) for k in units.KINDS]))
    locality = StringField(N_("Địa bàn"))
    parent_name = StringField(N_("Đơn vị cấp trên"))
    parent_id = HiddenField()


class MergeForm(FlaskForm):
    into_name = StringField(N_("Gộp vào đơn vị"))
    into = HiddenField()


class ImportForm(FlaskForm):
    file = FileField(N_("Tệp danh sách đơn vị (.csv UTF-8 hoặc .xlsx)"))


def _admin() -> None:
    access.require(access.can_manage_units(current_user()), units.REFUSED)


@bp.get("/")
def index():
    _admin()
    query = text_arg("q")[:units.MAX_QUERY]
    result = units.search(get_store(), current_user(), query, max(int_arg("page", 1, maximum=100_000), 1))
    return render_template("directory/units.html", result=result, q=query, kind_labels=units.KIND_LABELS)


@bp.get("/search")
def search():
    """The pickers' suggestions: at most 20 units the user may see, as JSON."""
    return jsonify({"units": units.picker(get_store(), current_user(), text_arg("q"))})


@bp.route("/new", methods=["GET", "POST"])
def new():
    _admin()
    return _edit(UnitForm(), None)


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
def edit(unit_id):
    _admin()
    current = units.get(get_store(), current_user(), unit_id)
    form = UnitForm() if request.method == "POST" else UnitForm(data=_form_data(current))
    return _edit(form, current)


def _form_data(current: dict) -> dict:
    return {**current, "parent_id": current["parent_id"] or ""}


def _edit(form: UnitForm, current: dict | None):
    if form.validate_on_submit():
        store, user = get_store(), current_user()
        try:
            data = {"name": form.name.data or "", "kind": form.kind.data or "", "locality": form.locality.data or "",
                    "parent_id": picked(form.parent_id.data, form.parent_name.data, "parent_id")}
            unit_id = units.create(store, user, data) if current is None else current["id"]
            if current is not None:
                units.update(store, user, unit_id, data)
        except DomainError as error:
            field = {"parent_id": "parent_name"}.get(error.field, error.field)
            target = getattr(form, field, None) if field in UnitForm.__dict__ else None
            (target.errors if target is not None else form.form_errors).append(refusal_text(error))
        else:
            flash(_("Đã lưu đơn vị %(name)s.", name=" ".join((form.name.data or "").split())), "success")
            return redirect(url_for("units.edit", unit_id=unit_id))
    status = 400 if request.method == "POST" else 200
    return render_template("directory/unit_edit.html", form=form, current=current,
                           merge_form=MergeForm(formdata=None)), status


def picked(unit_id: str | None, name: str | None, field: str) -> int | None:
    """The unit a picker chose: its hidden id, else (no script) the typed name matched
    after folding; an empty picker is None; a name matching no unit is refused."""
    if (unit_id or "").strip():
        return int_value(unit_id.strip(), field)
    if not (name or "").strip():
        return None
    found = units.resolve_name(get_store(), name)
    if found is None:
        raise DomainError(N_("Không tìm thấy đơn vị '%(name)s' trong danh mục; vui lòng chọn trong danh sách gợi ý."),
                          field, name=name.strip())
    return found["id"]


@bp.post("/<int:unit_id>/merge")
def merge(unit_id):
    _admin()
    form = MergeForm()
    current = units.get(get_store(), current_user(), unit_id)
    if form.validate_on_submit():
        try:
            into = picked(form.into.data, form.into_name.data, "into")
            if into is None:
                raise DomainError(N_("Vui lòng chọn đơn vị để gộp vào."), "into")
            result = units.merge(get_store(), current_user(), unit_id, into)
        except DomainError as error:
            form.into_name.errors = [refusal_text(error)]
        else:
            moved = result["moved"]
            flash(_("Đã gộp %(unit)s vào %(into)s: %(visits)s và %(recommendations)s đã chuyển sang.",
                    unit=result["unit"]["name"], into=result["into"]["name"],
                    visits=npgettext("count", "%(num)s buổi khảo sát", "%(num)s buổi khảo sát", moved["visits"]),
                    recommendations=npgettext("count", "%(num)s kiến nghị", "%(num)s kiến nghị",
                                              moved["recommendations"])), "success")
            return redirect(url_for("units.edit", unit_id=into))
    return render_template("directory/unit_edit.html", form=UnitForm(data=_form_data(current)), current=current,
                           merge_form=form), 400


@bp.route("/import", methods=["GET", "POST"])
def import_units():
    _admin()
    form, result = ImportForm(), None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if upload is None or not upload.filename:
                raise DomainError(N_("Vui lòng chọn tệp danh sách đơn vị."), "file")
            data = upload.stream.read(unit_import.MAX_BYTES + 1)
            result = unit_import.import_units(get_store(), current_user(), upload.filename, data,
                                              dry_run="apply" not in request.form)
        except DomainError as error:
            form.file.errors = [refusal_text(error)]
        else:
            if result["applied"]:
                flash(_("Đã nhập %(created)s đơn vị mới; %(matched)s đơn vị đã có.",
                        created=len(result["created"]), matched=len(result["matched"])), "success")
                return redirect(url_for("units.index"))
    status = 400 if request.method == "POST" and (form.file.errors or (result and result["refused"])) else 200
    return render_template("directory/unit_import.html", form=form, result=result,
                           kind_labels=units.KIND_LABELS), status
