"""Validation of one visit document (`survey-visit/1`) against its schema and its form.

`validate_document(doc, forms)` refuses the first problem with a `DocumentError`
whose Vietnamese `message` names the field and whose `field` is a dotted path
(`report.indicators.dossiers_received`, `recommendations[2].due`). Schema errors
come first, sorted by path; then the checks a schema cannot make: the form
exists, indicator and checklist keys belong to it and their values fit, dates are
real, times carry an offset and are in order, photo data is base64. Figures that
break a form's consistency rule are not refused: they come back as warnings.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from jsonschema import Draft202012Validator, ValidationError

from survey_app.checklists import AnswerError, FormSpec
from survey_app.domain.errors import Label, Labels
from survey_app.markers import N_

FORMAT = "survey-visit/1"


def schema_path() -> Path:
    """Where the JSON Schema of the document lives (shipped next to this module)."""
    return Path(__file__).with_name("schema.json")


SCHEMA: dict = json.loads(schema_path().read_text(encoding="utf-8"))
_VALIDATOR = Draft202012Validator(SCHEMA)
_DEFS = SCHEMA["$defs"]
# A schema pattern says what it expects in words a field worker understands.
_PATTERN_NAMES = {
    _DEFS["uuid"]["pattern"]: N_("một mã UUID (vd. 5b1f8a2e-6c1d-4c8e-9a57-2f0d3c9e7a11)"),
    _DEFS["base64"]["pattern"]: N_("dữ liệu base64"),
    _DEFS["date"]["pattern"]: N_("ngày dạng YYYY-MM-DD (năm-tháng-ngày)"),
    _DEFS["date_time"]["pattern"]: N_("ngày giờ ISO 8601 có múi giờ (vd. 2025-10-13T08:00:00+07:00)"),
}
_TYPE_NAMES = {"string": N_("chuỗi ký tự"), "number": N_("số"), "integer": N_("số nguyên"),
               "object": N_("đối tượng"), "array": N_("danh sách"), "null": "null",
               "boolean": N_("đúng/sai")}
WHOLE_DOCUMENT = N_("tài liệu")
_UUID_RE = re.compile(_DEFS["uuid"]["pattern"].strip("^$"))


class FormLookup(Protocol):
    def get(self, form_id: str) -> FormSpec | None: ...


class DocumentError(Exception):
    """A visit document is refused: Vietnamese `message`, dotted `field` ("" = the whole)."""

    def __init__(self, template: str, field: str, /, **params):
        message = template % params if params else template
        super().__init__(f"{field}: {message}" if field else message)
        self.template, self.params = template, params  # a catalogue entry, translated where shown
        self.message = message
        self.field = field


def validate_document(doc: Any, forms: FormLookup) -> list[str]:
    """Warnings (broken consistency rules); raise DocumentError for the first problem."""
    _check_schema(doc)
    spec = forms.get(doc["form"])
    if spec is None:
        raise DocumentError(N_("Trường 'form': không có biểu mẫu '%(form)s'."), "form", form=doc["form"])
    _check_uuid(doc["uuid"])
    started = _check_times(doc)
    report = doc.get("report", {})
    _check_period(report.get("period", {}))
    _check_indicators(spec, report.get("indicators", {}))
    _check_checklist(spec, doc.get("checklist", {}))
    _check_recommendations(doc.get("recommendations", []), started.date())
    _check_photos(doc.get("photos", []))
    evaluation = spec.evaluate(report.get("indicators", {}))
    return [warning.message for warning in evaluation.warnings]


# ------------------------------------------------------------------ schema

def _check_schema(doc: Any) -> None:
    problems = sorted((_describe(error) for error in _VALIDATOR.iter_errors(doc)),
                      key=lambda problem: problem[0])
    if problems:
        _, field, (template, params) = problems[0]
        raise DocumentError(template, field, **params)


def _describe(error: ValidationError) -> tuple[tuple, str, tuple[str, dict]]:
    """(sort key, field, (message template, params)) of one schema error."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))[0]
        if path:
            return _describe_at(path + [extra], N_("Trường không được phép: '%(extra)s' trong '%(where)s'. Vui lòng "
                                                   "bỏ trường này."), extra=extra, where=_dotted(path))
        return _describe_at(path + [extra], N_("Trường không được phép: '%(extra)s'. Vui lòng bỏ trường này."),
                            extra=extra)
    if error.validator == "required":
        missing = error.message.split("'")[1]  # "'unit' is a required property"
        return _describe_at(path + [missing], N_("Thiếu trường bắt buộc: '%(missing)s'. Vui lòng bổ sung."),
                            missing=missing)
    template, params = _problem(error)
    return _describe_at(path, template, **params, field=_dotted(path) or Label(WHOLE_DOCUMENT))


def _describe_at(path: list, template: str, **params) -> tuple[tuple, str, tuple[str, dict]]:
    message = template % {key: str(value) for key, value in params.items()}
    key = tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)
    return key + ((2, 0, message),), _dotted(path), (template, params)


def _problem(error: ValidationError) -> tuple[str, dict]:
    """The template (its `field` filled later) and params of a schema error."""
    value = error.validator_value
    if error.validator == "type":
        kinds = [value] if isinstance(value, str) else value
        if len(kinds) == 1:
            return N_("Trường '%(field)s' phải là %(kind)s."), {"kind": Label(_TYPE_NAMES[kinds[0]])}
        return (N_("Trường '%(field)s' phải là một trong các kiểu: %(kinds)s."),
                {"kinds": Labels(Label(_TYPE_NAMES[kind]) for kind in kinds)})
    if error.validator == "const":
        return N_("Trường '%(field)s' phải là '%(value)s'."), {"value": value}
    if error.validator == "enum":
        return N_("Trường '%(field)s' phải là một trong: %(values)s."), {"values": ", ".join(map(str, value))}
    if error.validator == "pattern":
        return N_("Trường '%(field)s' phải là %(pattern)s."), {
            "pattern": Label(_PATTERN_NAMES.get(value, N_("giá trị hợp lệ")))}
    if error.validator == "minLength":
        if value == 1:
            return N_("Trường '%(field)s' không được để trống: vui lòng nhập nội dung."), {}
        return N_("Trường '%(field)s' quá ngắn (ít nhất %(n)s ký tự)."), {"n": value}
    if error.validator == "maxLength":
        return N_("Trường '%(field)s' quá dài (tối đa %(n)s ký tự)."), {"n": value}
    if error.validator in ("maxItems", "maxProperties"):
        return N_("Trường '%(field)s' có quá nhiều phần tử (tối đa %(n)s)."), {"n": value}
    return N_("Trường '%(field)s' không hợp lệ."), {}


def _dotted(path: Iterable) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# ------------------------------------------------------- beyond the schema

def _refused(field: str, template: str, **params) -> DocumentError:
    """`template` names the field as `%(field)s`."""
    return DocumentError(template, field, field=field, **params)


def _check_uuid(value: str) -> None:
    if not _UUID_RE.fullmatch(value):  # the schema's `$` also lets a final newline through
        raise _refused("uuid", N_("Trường '%(field)s' phải là %(pattern)s."),
                       pattern=Label(_PATTERN_NAMES[_DEFS["uuid"]["pattern"]]))


def _check_times(doc: dict) -> dt.datetime:
    """The start time; the end, if any, is not before it."""
    started = _date_time(doc["started_at"], "started_at")
    if doc.get("ended_at") is not None:
        if _date_time(doc["ended_at"], "ended_at") < started:
            raise _refused("ended_at", N_("Trường '%(field)s': giờ kết thúc trước giờ bắt đầu 'started_at'. Vui "
                                          "lòng kiểm tra lại."))
    return started


def _date_time(value: str, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _refused(field, N_("Trường '%(field)s' phải là %(pattern)s và là thời điểm có thật."),
                       pattern=Label(_PATTERN_NAMES[_DEFS["date_time"]["pattern"]]))
    return moment


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _refused(field, N_("Trường '%(field)s' phải là ngày có thật dạng YYYY-MM-DD.")) from None


def _check_period(period: dict) -> None:
    start = _date(period["from"], "report.period.from") if "from" in period else None
    end = _date(period["to"], "report.period.to") if "to" in period else None
    if start and end and start > end:
        raise _refused("report.period.from", N_("Trường '%(field)s': ngày bắt đầu kỳ báo cáo sau ngày kết thúc "
                                                "'report.period.to'. Vui lòng kiểm tra lại."))


def _check_indicators(spec: FormSpec, indicators: dict) -> None:
    for key, value in indicators.items():
        _answer(spec.check_indicator, key, value, f"report.indicators.{key}")


def _check_checklist(spec: FormSpec, checklist: dict) -> None:
    for key, entry in checklist.items():
        if key not in spec.item_keys:
            raise _refused(f"checklist.{key}", N_("Trường '%(field)s': không có mục '%(key)s' trong biểu mẫu "
                                                  "%(form)s."), key=key, form=spec.id)
        _answer(spec.check_answer, key, entry.get("value"), f"checklist.{key}.value")


def _answer(check: Callable[[str, Any], Any], key: str, value: Any, field: str) -> None:
    try:
        check(key, value)
    except AnswerError as exc:
        raise DocumentError(exc.template, field, **exc.params) from None  # the field goes with it


def _check_recommendations(recommendations: list, visit_day: dt.date) -> None:
    """A due date is a real date, not before the day of the visit (in its own time zone)."""
    for index, recommendation in enumerate(recommendations):
        field = f"recommendations[{index}].due"
        if recommendation.get("due") is None:
            continue
        if _date(recommendation["due"], field) < visit_day:
            raise _refused(field, N_("Trường '%(field)s': thời hạn thực hiện trước ngày làm việc (%(day)s). Vui "
                                     "lòng chọn thời hạn từ ngày làm việc trở đi."), day=visit_day.isoformat())


def _check_photos(photos: list) -> None:
    for index, photo in enumerate(photos):
        if "data" not in photo:
            continue
        try:
            base64.b64decode(photo["data"], validate=True)
        except (binascii.Error, ValueError):
            raise _refused(f"photos[{index}].data", N_("Trường '%(field)s': không phải dữ liệu base64 hợp "
                                                       "lệ.")) from None
