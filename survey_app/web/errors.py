"""Turning refusals into answers: JSON `{"error", "field"}` for the API, `{"ok": false,
"error", "field"}` for the page routes that answer JSON, a page otherwise; and, for a
form's action, the refusal flashed on the page it came from (`flash_refusal`).
Every message is translated here, once, after it was chosen: never formatted again."""
from __future__ import annotations

import functools
from typing import Callable

import logging

from flask import Flask, flash, jsonify, make_response, render_template, request
from flask_babel import get_translations, gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey_app.domain.errors import DomainError
from survey_app.domain.files import DISK_FULL, disk_problem
from survey_app.markers import N_
from survey_app.storage import StoreBusy
from survey_app.web.i18n import locale
from survey_app.web.security import is_api_request

log = logging.getLogger(__name__)
# Flask-WTF's CSRF refusal, as the user can act on it (never the word "CSRF").
SESSION_EXPIRED = N_("Phiên làm việc đã hết hạn, vui lòng tải lại trang và thử lại.")


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(StoreBusy, store_busy)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OSError, disk_error)


def answer(message: str, status: int, field: str | None = None):
    """`message` is already in the reader's language."""
    if is_api_request():
        return jsonify({"error": message, "field": field}), status
    if request.endpoint in JSON_PAGE_ENDPOINTS:
        return jsonify({"ok": False, "error": message, "field": field}), status
    return render_template("error.html", message=message, status=status), status


# Page routes that answer JSON (the capture page's autosave and uploads): each area
# names its own with `json_pages`.
JSON_PAGE_ENDPOINTS: set[str] = set()


def json_pages(*endpoints: str) -> None:
    JSON_PAGE_ENDPOINTS.update(endpoints)


def refusal_text(error: DomainError) -> str:
    return error.translated(gettext, locale=locale(), npgettext=entry_for_count)


def entry_for_count(context: str, singular: str, plural: str, count: int) -> str:
    """The catalogue entry of the reader's language for `count` things, not yet filled."""
    return get_translations().npgettext(context, singular, plural, count)


def disk_error(error: OSError):
    """A full disk (507) or read-only instance folder (503): a clear message, no traceback;
    the write was atomic, so nothing half-written is left and the database is intact."""
    message = disk_problem(error)
    if message is None:
        raise error
    status, message = 507 if error.errno in DISK_FULL else 503, gettext(message)
    if is_api_request() or request.is_json or request.endpoint in JSON_PAGE_ENDPOINTS:
        return jsonify({"ok": False, "error": message, "field": None}), status
    return render_template("error.html", message=message, status=status), status


def domain_error(error: DomainError):
    """A page names a status or a role by its label; the API adds the code it sent."""
    return answer(error.translated(gettext, codes=is_api_request(), locale=locale(), npgettext=entry_for_count),
                  error.status, error.field)


def store_busy(error: StoreBusy):
    response = make_response(answer(gettext(N_("Hệ thống đang bận, vui lòng thử lại sau giây lát.")), 503))
    response.headers["Retry-After"] = "2"
    return response


def csrf_error(error: CSRFError):
    log.info("form refused: %s", error.description)
    return answer(gettext(SESSION_EXPIRED), 400, "csrf_token")


MESSAGES = {
    400: N_("Yêu cầu không hợp lệ."),
    401: N_("Cần đăng nhập."),
    403: N_("Tài khoản không có quyền thực hiện thao tác này."),
    404: N_("Không tìm thấy trang hoặc đối tượng yêu cầu."),
    405: N_("Phương thức không được phép."),
    409: N_("Xung đột dữ liệu."),
    413: N_("Tệp hoặc nội dung gửi lên quá lớn."),
    415: N_("Định dạng nội dung gửi lên không được hỗ trợ. Vui lòng gửi đúng loại tệp hoặc JSON."),
    429: N_("Có quá nhiều yêu cầu trong thời gian ngắn. Vui lòng chờ một lát rồi thử lại."),
    503: N_("Hệ thống đang bận, vui lòng thử lại sau giây lát."),
    500: N_("Lỗi máy chủ: thao tác chưa được thực hiện. Dữ liệu đã lưu vẫn nguyên vẹn; vui lòng thử lại hoặc báo quản trị viên."),
}


def http_error(error: HTTPException):
    """Our message for the status, never Werkzeug's English description (it is logged)."""
    message = MESSAGES.get(error.code) or MESSAGES[500 if (error.code or 500) >= 500 else 400]
    log.info("HTTP %s: %s", error.code, error.description)
    if request.endpoint in JSON_PAGE_ENDPOINTS and not is_api_request():  # an upload from the capture page
        message = N_("Tệp gửi lên quá lớn.") if error.code == 413 else message
        return jsonify({"ok": False, "error": gettext(message), "field": "file"}), error.code
    return answer(gettext(message), error.code or 500)


def require_form(form):
    """The form, once its CSRF token (and fields) are valid; refused otherwise."""
    if not form.validate_on_submit():
        raise DomainError(SESSION_EXPIRED, "csrf_token")
    return form


def flash_refusal(back: Callable):
    """A form's action whose refusal is flashed, then the user is sent back to the page
    the form is on (`back(**view_args)`, a response); 403 and 404 stay errors."""
    def decorate(view):
        @functools.wraps(view)
        def action(**view_args):
            try:
                return view(**view_args)
            except DomainError as error:
                if error.status in (403, 404):
                    raise
                flash(refusal_text(error), "error")
                return back(**view_args)
        return action
    return decorate
