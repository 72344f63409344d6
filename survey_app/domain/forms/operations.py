"""What an administrator does with checklist forms: check an XLSForm, publish it as a
new version (kept in the database with its content hash), retire a form (no new visits,
old visits untouched) or bring it back, and download any form as an XLSForm."""
from __future__ import annotations

import dataclasses
import logging
import tomllib

from survey_app.checklists import FormError, FormSpec, parse_form
from survey_app.checklists.canonical import to_toml
from survey_app.checklists.xlsform import XLSFormError, read_xlsform
from survey_app.checklists.xlsform_export import write_xlsform
from survey_app.clock import now_utc
from survey_app.domain import audit
from survey_app.domain.access import can_manage_forms, require
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.storage import forms as sql
from survey_app.storage import visits as visits_sql

NOT_ALLOWED = N_("Tài khoản không có quyền quản lý biểu mẫu khảo sát.")
CHANGED_SINCE_PREVIEW = N_("Biểu mẫu đã thay đổi từ lúc xem trước: vui lòng tải tệp lên lại.")
log = logging.getLogger(__name__)


class FormProblems(DomainError):
    """An XLSForm that cannot be published: every problem, by sheet, row and column."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems), "file")
        self.problems = problems


def check_xlsform(user: dict, data: bytes) -> FormSpec:
    """The form an XLSForm describes (nothing is saved); raise FormProblems."""
    require(can_manage_forms(user), NOT_ALLOWED)
    try:
        return read_xlsform(data)
    except XLSFormError as error:
        raise FormProblems(error.problems) from None


def next_version(forms, spec: FormSpec) -> FormSpec:
    """The form as it will be published: after the current version of its id."""
    current = forms.get(spec.id)
    if current is None or spec.version > current.version:
        return spec
    if to_toml(dataclasses.replace(spec, version=current.version)) == to_toml(current):
        raise DomainError(N_("Biểu mẫu không có gì thay đổi so với phiên bản hiện hành."), "file")
    raised = dataclasses.replace(spec, version=current.version + 1)
    return parse_form(to_toml(raised), f"{spec.id}.toml")


def prepare_xlsform(forms, user: dict, data: bytes) -> FormSpec:
    """The form an XLSForm would publish, with the version it would get (nothing saved)."""
    return next_version(forms, check_xlsform(user, data))


def publish_xlsform(store, forms, user: dict, data: bytes) -> FormSpec:
    """Check and publish an XLSForm as the new current version of its form id; the
    published forms stay unchanged if it has any problem."""
    return _publish(store, user, prepare_xlsform(forms, user, data))


def publish_previewed(store, forms, user: dict, source: str, content_hash: str) -> FormSpec:
    """Publish the form an admin previewed: its canonical text comes back from the
    preview page and must still be exactly what was shown (same hash, still the next
    version of its id)."""
    require(can_manage_forms(user), NOT_ALLOWED)
    try:
        spec = parse_form(source, f"{tomllib.loads(source).get('id')}.toml")
    except (FormError, tomllib.TOMLDecodeError) as error:
        log.warning("previewed form refused: %s", error)  # we wrote it: changed on the way back
        raise DomainError(CHANGED_SINCE_PREVIEW, "file") from None
    if spec.content_hash != content_hash or to_toml(spec) != source \
            or next_version(forms, spec) is not spec:
        raise DomainError(CHANGED_SINCE_PREVIEW, "file")
    return _publish(store, user, spec)


def _publish(store, user: dict, spec: FormSpec) -> FormSpec:
    def write(db):
        at = now_utc()
        visits_sql.ensure_form_version(db, spec.content_hash, spec.id, spec.version, spec.source, at)
        sql.publish(db, spec.id, spec.version, spec.content_hash, at, user.get("id"))
        sql.reinstate(db, spec.id)  # a new version is meant to be used
        audit.record(db, user, "form.publish", "form", spec.id,
                     {"version": spec.version, "content_hash": spec.content_hash})
    store.write(write)
    return spec


def retire_form(store, forms, user: dict, form_id: str, retired: bool = True) -> None:
    """Retire a form (no new visits; old visits keep their version), or bring it back."""
    require(can_manage_forms(user), NOT_ALLOWED)
    if forms.get(form_id) is None:
        raise DomainError(N_("Biểu mẫu không tồn tại."), "form")

    def write(db):
        if retired:
            sql.retire(db, form_id, now_utc(), user.get("id"))
        else:
            sql.reinstate(db, form_id)
        audit.record(db, user, "form.retire" if retired else "form.reinstate", "form", form_id)
    store.write(write)


def form_xlsform(forms, user: dict, form_id: str) -> bytes:
    """The current version of a form as an XLSForm workbook."""
    require(can_manage_forms(user), NOT_ALLOWED)
    spec = forms.get(form_id)
    if spec is None:
        raise DomainError(N_("Biểu mẫu không tồn tại."), "form")
    return write_xlsform(spec)


def form_history(store, form_id: str) -> dict:
    """The published versions of a form and how many visits use each version."""
    return store.read(lambda db: {"publications": sql.publications_of(db, form_id),
                                  "visits": sql.visits_per_version(db, form_id)})
