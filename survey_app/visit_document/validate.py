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

FORMAT = "survey-visit/1"


def schema_path() -> Path:
    """Where the JSON Schema of the document lives (shipped next to this module)."""
    return Path(__file__).with_name("schema.json")


SCHEMA: dict = json.loads(schema_path().read_text(encoding="utf-8"))
_VALIDATOR = Draft202012Validator(SCHEMA)
_DEFS = SCHEMA["$defs"]
# A schema pattern says what it expects in words a field worker understands.
_PATTERN_NAMES = {
    _DEFS["uuid"]["pattern"]: "một mã UUID (vd. 5b1f8a2e-6c1d-4c8e-9a57-2f0d3c9e7a11)",
    _DEFS["base64"]["pattern"]: "dữ liệu base64",
    _DEFS["date"]["pattern"]: "ngày dạng YYYY-MM-DD (năm-tháng-ngày)",
    _DEFS["date_time"]["pattern"]: "ngày giờ ISO 8601 có múi giờ (vd. 2025-10-13T08:00:00+07:00)",
}
_TYPE_NAMES = {"string": "chuỗi ký tự", "number": "số", "integer": "số nguyên",
               "object": "đối tượng", "array": "danh sách", "null": "null",
               "boolean": "đúng/sai"}
_UUID_RE = re.compile(_DEFS["uuid"]["pattern"].strip("^$"))


class FormLookup(Protocol):
    def get(self, form_id: str) -> FormSpec | None: ...


class DocumentError(Exception):
    """A visit document is refused: Vietnamese `message`, dotted `field` ("" = the whole)."""

    def __init__(self, message: str, field: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.field = field


def validate_document(doc: Any, forms: FormLookup) -> list[str]:
    """Warnings (broken consistency rules); raise DocumentError for the first problem."""
    _check_schema(doc)
    spec = forms.get(doc["form"])
    if spec is None:
        raise _refused("form", f"không có biểu mẫu '{doc['form']}'")
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
        _, field, message = problems[0]
        raise DocumentError(message, field)


def _describe(error: ValidationError) -> tuple[tuple, str, str]:
    """(sort key, field, message) of one schema error."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))[0]
        where = f" trong '{_dotted(path)}'" if path else ""
        return _describe_at(path + [extra], f"Trường không được phép: '{extra}'{where}")
    if error.validator == "required":
        missing = error.message.split("'")[1]  # "'unit' is a required property"
        return _describe_at(path + [missing], f"Thiếu trường bắt buộc: '{missing}'")
    return _describe_at(path, _problem(error, _dotted(path) or "tài liệu"))


def _describe_at(path: list, message: str) -> tuple[tuple, str, str]:
    key = tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)
    return key + ((2, 0, message),), _dotted(path), message


def _problem(error: ValidationError, field: str) -> str:
    value = error.validator_value
    if error.validator == "type":
        kinds = [value] if isinstance(value, str) else value
        names = [_TYPE_NAMES[kind] for kind in kinds]
        either = " hoặc ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
        return f"Trường '{field}' phải là {either}"
    if error.validator == "const":
        return f"Trường '{field}' phải là '{value}'"
    if error.validator == "enum":
        return f"Trường '{field}' phải là một trong: {', '.join(map(str, value))}"
    if error.validator == "pattern":
        return f"Trường '{field}' phải là {_PATTERN_NAMES.get(value, 'giá trị hợp lệ')}"
    if error.validator == "minLength":
        return f"Trường '{field}' không được để trống" if value == 1 else \
            f"Trường '{field}' quá ngắn (ít nhất {value} ký tự)"
    if error.validator == "maxLength":
        return f"Trường '{field}' quá dài (tối đa {value} ký tự)"
    if error.validator in ("maxItems", "maxProperties"):
        return f"Trường '{field}' có quá nhiều phần tử (tối đa {value})"
    return f"Trường '{field}' không hợp lệ ({error.validator})"


def _dotted(path: Iterable) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# ------------------------------------------------------- beyond the schema

def _refused(field: str, problem: str) -> DocumentError:
    return DocumentError(f"Trường '{field}': {problem}", field)


def _check_uuid(value: str) -> None:
    if not _UUID_RE.fullmatch(value):  # the schema's `$` also lets a final newline through
        raise _refused("uuid", "phải là " + _PATTERN_NAMES[_DEFS["uuid"]["pattern"]])


def _check_times(doc: dict) -> dt.datetime:
    """The start time; the end, if any, is not before it."""
    started = _date_time(doc["started_at"], "started_at")
    if doc.get("ended_at") is not None:
        if _date_time(doc["ended_at"], "ended_at") < started:
            raise _refused("ended_at", "giờ kết thúc trước giờ bắt đầu 'started_at'")
    return started


def _date_time(value: str, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        words = _PATTERN_NAMES[_DEFS["date_time"]["pattern"]]
        raise _refused(field, f"phải là {words} và là thời điểm có thật")
    return moment


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _refused(field, "phải là ngày có thật dạng YYYY-MM-DD") from None


def _check_period(period: dict) -> None:
    start = _date(period["from"], "report.period.from") if "from" in period else None
    end = _date(period["to"], "report.period.to") if "to" in period else None
    if start and end and start > end:
        raise _refused("report.period.from",
                       "ngày bắt đầu kỳ báo cáo sau ngày kết thúc 'report.period.to'")


def _check_indicators(spec: FormSpec, indicators: dict) -> None:
    for key, value in indicators.items():
        _answer(spec.check_indicator, key, value, f"report.indicators.{key}")


def _check_checklist(spec: FormSpec, checklist: dict) -> None:
    for key, entry in checklist.items():
        if key not in spec.item_keys:
            raise _refused(f"checklist.{key}", f"không có mục '{key}' trong biểu mẫu {spec.id}")
        _answer(spec.check_answer, key, entry.get("value"), f"checklist.{key}.value")


def _answer(check: Callable[[str, Any], Any], key: str, value: Any, field: str) -> None:
    try:
        check(key, value)
    except AnswerError as exc:
        raise _refused(field, exc.message) from None


def _check_recommendations(recommendations: list, visit_day: dt.date) -> None:
    """A due date is a real date, not before the day of the visit (in its own time zone)."""
    for index, recommendation in enumerate(recommendations):
        field = f"recommendations[{index}].due"
        if recommendation.get("due") is None:
            continue
        if _date(recommendation["due"], field) < visit_day:
            raise _refused(field, f"thời hạn thực hiện trước ngày làm việc ({visit_day.isoformat()})")


def _check_photos(photos: list) -> None:
    for index, photo in enumerate(photos):
        if "data" not in photo:
            continue
        try:
            base64.b64decode(photo["data"], validate=True)
        except (binascii.Error, ValueError):
            raise _refused(f"photos[{index}].data", "không phải dữ liệu base64 hợp lệ") from None
