"""Publishing forms (domain/forms/operations.py, library.py, CLI `form`): an XLSForm
becomes a new version kept in the database with its content hash; visits already
started keep their version; a retired form takes no new visits; a file with problems
publishes nothing; only an administrator may do any of it."""
from __future__ import annotations

import pytest

from survey_app.checklists.canonical import canonical_hash
from survey_app.checklists.xlsform_export import write_xlsform
from survey_app.domain.errors import DomainError, Forbidden
from survey_app.domain.forms import operations as ops
from survey_app.domain.visits.operations import plan_visit
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import audit as audit_sql
from survey_app.storage import forms as forms_sql
from survey_app.storage import visits as visits_sql

from .support import seed_visit
from .xlsform_samples import KOBO_GROUPS, workbook

FORM = "tram-y-te-xa"


def user(store, username):
    return store.read(accounts_sql.get_user_by_username, username)


def kept(store) -> tuple:
    """What publishing may change: the stored form texts, the publications, the
    retirements and the audit trail's head (entries, last hash)."""
    return (store.read(forms_sql.version_hashes), store.read(forms_sql.latest_publications),
            store.read(forms_sql.retired_ids), store.read(audit_sql.head))


def with_skip_section(forms) -> bytes:
    """The shipped Trạm Y tế form as an admin edits it in Excel: a section with skip logic."""
    import io

    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(write_xlsform(forms.get(FORM))))
    survey = book["survey"]
    first = next([cell.value for cell in row] for row in survey.iter_rows(min_row=2)
                 if row[0].value == "select_one yes_partly_no")  # the first yes/partly/no question
    survey.append(["begin group", "cold_chain", "Dây chuyền lạnh", "Cold chain", None, None,
                   f"${{{first[1]}}} = 'yes'"])
    survey.append(["select_one yes_partly_no", "fridge_ok", "Tủ lạnh bảo quản vắc xin hoạt động tốt",
                   "Vaccine fridge works", None, "yes"])
    survey.append(["end group"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), first[1]


def plan(store, forms, who, form_id=FORM):
    delegation = seed_visit(store)["delegation_id"]  # the demo's one delegation
    return plan_visit(store, forms, who, delegation_id=delegation, unit="Trạm Y tế xã Thử",
                      form_id=form_id, started_at="2026-12-01T08:00:00+07:00")


def test_publishing_makes_version_2_and_old_visits_keep_version_1(app, store):
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    old_visit = plan(store, forms, admin)
    data, first = with_skip_section(forms)
    spec = ops.publish_xlsform(store, forms, admin, data)
    assert (spec.id, spec.version) == (FORM, 2)
    assert forms.get(FORM).content_hash == spec.content_hash == canonical_hash(spec)
    assert forms.get(FORM).sections[-1].relevant.text == f"${{{first}}} = 'yes'"
    new_visit = plan(store, forms, admin)
    rows = {visit: store.read(visits_sql.get_visit, visit) for visit in (old_visit, new_visit)}
    assert rows[old_visit]["form_version"] == 1 and rows[new_visit]["form_version"] == 2
    old_form = store.read(forms.for_visit, {"form_id": FORM, "form_hash": rows[old_visit]["form_hash"]})
    assert "fridge_ok" not in old_form.items and old_form.version == 1
    history = ops.form_history(store, FORM)
    assert [p["version"] for p in history["publications"]] == [2]
    assert history["visits"][1] >= 1 and history["visits"][2] == 1


def test_the_same_content_again_is_refused_not_a_new_version(app, store):
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    with pytest.raises(DomainError, match="không có gì thay đổi"):
        ops.publish_xlsform(store, forms, admin, write_xlsform(forms.get(FORM)))
    assert store.read(forms_sql.latest_publications) == []


def test_a_file_with_problems_publishes_nothing(app, store):
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    before = kept(store)
    broken = dict(KOBO_GROUPS, survey=KOBO_GROUPS["survey"] + [["geopoint", "where", "Vị trí"]])
    with pytest.raises(ops.FormProblems) as refused:
        ops.publish_xlsform(store, forms, admin, workbook(**broken))
    assert refused.value.problems == ["survey, dòng 15, cột type: loại 'geopoint' chưa được hỗ trợ; "
                                      "dùng một trong: " + ", ".join(ops_types())]
    assert kept(store) == before
    assert forms.get("cong-dvc") is None


def ops_types():
    from survey_app.checklists.xlsform import SUPPORTED_TYPES
    return SUPPORTED_TYPES


def test_a_new_form_id_is_published_as_its_own_form(app, store):
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    spec = ops.publish_xlsform(store, forms, admin, workbook(**KOBO_GROUPS))
    assert (spec.id, spec.version) == ("cong-dvc", 2), "the file's own version, first of its id"
    assert "cong-dvc" in [form.id for form in forms]
    assert plan(store, forms, admin, "cong-dvc")


def test_a_retired_form_takes_no_new_visits_and_old_ones_are_untouched(app, store):
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    old_visit = plan(store, forms, admin)
    ops.retire_form(store, forms, admin, FORM)
    assert FORM not in [form.id for form in forms]
    with pytest.raises(DomainError, match="đã ngừng sử dụng"):
        plan(store, forms, admin)
    assert store.read(forms.for_visit, store.read(visits_sql.get_visit, old_visit)).id == FORM
    ops.retire_form(store, forms, admin, FORM, retired=False)
    assert plan(store, forms, admin)


@pytest.mark.parametrize("username", ["thuky", "truongdoan", "thanhvien", "xahra", "xem"])
def test_only_an_administrator_manages_forms(app, store, username):
    forms, someone = app.extensions["survey_forms"], user(store, username)
    data, _ = with_skip_section(forms)
    for attempt in (lambda: ops.publish_xlsform(store, forms, someone, data),
                    lambda: ops.check_xlsform(someone, data),
                    lambda: ops.retire_form(store, forms, someone, FORM),
                    lambda: ops.form_xlsform(forms, someone, FORM)):
        with pytest.raises(Forbidden):
            attempt()
    assert store.read(forms_sql.latest_publications) == [] and store.read(forms_sql.retired_ids) == set()


def test_the_cli_imports_exports_and_retires(app, store, runner, tmp_path):
    forms = app.extensions["survey_forms"]
    exported = tmp_path / "tram.xlsx"
    result = runner.invoke(args=["form", "export", FORM, str(exported)])
    assert result.exit_code == 0, result.output
    data, _ = with_skip_section(forms)
    edited = tmp_path / "tram-v2.xlsx"
    edited.write_bytes(data)
    checked = runner.invoke(args=["form", "import", "--check", str(edited)])
    assert checked.exit_code == 0 and "Hợp lệ: tram-y-te-xa phiên bản 2" in checked.output
    assert store.read(forms_sql.latest_publications) == []
    published = runner.invoke(args=["form", "import", str(edited)])
    assert published.exit_code == 0 and "Đã phát hành: tram-y-te-xa phiên bản 2" in published.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    refused = runner.invoke(args=["form", "import", str(bad)])
    assert refused.exit_code == 1 and "Lỗi: Tệp không phải là bảng tính .xlsx" in refused.output
    assert runner.invoke(args=["form", "retire", FORM]).exit_code == 0
    assert FORM not in [form.id for form in forms]


def test_the_overview_hides_what_does_not_apply_and_does_not_count_it_missing(app, store):
    from survey_app.domain.visits.queries import visit_overview
    from survey_app.storage import visits as visits_sql
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    data, control = with_skip_section(forms)
    ops.publish_xlsform(store, forms, admin, data)
    visit_id = plan(store, forms, admin)

    def answer(key, value):
        store.write(lambda db: visits_sql.set_field(db, visit_id, f"checklist.{key}.value", value,
                                                   "2026-12-01T01:00:00Z", admin["id"]))

    def seen():
        overview = visit_overview(store, forms, visit_id)
        labels = [row["label"] for section in overview["checklist"] for row in section["rows"]]
        return labels, overview["missing"]
    fridge = "Tủ lạnh bảo quản vắc xin hoạt động tốt"
    answer(control, "no")
    answer("fridge_ok", "yes")
    labels, missing = seen()
    assert fridge not in labels and fridge not in missing
    answer(control, "yes")
    answer("fridge_ok", None)
    labels, missing = seen()
    assert fridge in labels and fridge in missing


def test_a_new_version_is_seen_at_once_through_the_parsed_forms_cache(app, store):
    """library._parse_stored keeps parsed publications by content hash (benchmarks/caches.py):
    reading the form before and after each publication gives the newest at once, and a
    visit of the previous version still reads its own."""
    forms, admin = app.extensions["survey_forms"], user(store, "admin")
    data, _ = with_skip_section(forms)
    second = ops.publish_xlsform(store, forms, admin, data)
    old_visit = plan(store, forms, admin)
    assert forms.get(FORM).version == 2 and [f.version for f in forms if f.id == FORM] == [2]  # cached now
    import io

    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(write_xlsform(forms.get(FORM))))
    row = next(row for row in book["survey"].iter_rows(min_row=2) if row[1].value == "fridge_ok")
    row[2].value = "Tủ bảo quản vắc xin đạt nhiệt độ"
    out = io.BytesIO()
    book.save(out)
    third = ops.publish_xlsform(store, forms, admin, out.getvalue())
    assert third.version == 3 and third.content_hash != second.content_hash
    assert forms.get(FORM).items["fridge_ok"].label == "Tủ bảo quản vắc xin đạt nhiệt độ"
    assert forms.for_new_visit(FORM).content_hash == third.content_hash
    assert store.read(forms.for_visit, store.read(visits_sql.get_visit, old_visit)).items["fridge_ok"].label \
        == "Tủ lạnh bảo quản vắc xin hoạt động tốt"
