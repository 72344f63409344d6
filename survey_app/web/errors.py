"""Turning refusals into answers: JSON `{"error", "field"}` for the API, `{"ok": false,
"error", "field"}` for the page routes that answer JSON, a page otherwise; and, for a
form's action, the refusal flashed on the page it came from (`flash_refusal`).
Every message is translated here, once, after it was chosen: never formatted again."""
from __future__ import annotations

import functools
from typing import Callable

from flask import Flask, flash, jsonify, make_response, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey_app.domain.errors import DomainError
from survey_app.domain.files import DISK_FULL, disk_problem
from survey_app.markers import N_
from survey_app.storage import StoreBusy
from survey_app.web.security import is_api_request


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
    return error.translated(gettext)


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
    return answer(refusal_text(error), error.status, error.field)


def store_busy(error: StoreBusy):
    response = make_response(answer(gettext(N_("Hệ thống đang bận, vui lòng thử lại sau giây lát.")), 503))
    response.headers["Retry-After"] = "2"
    return response


def csrf_error(error: CSRFError):
    return answer(gettext(N_("Phiên biểu mẫu đã hết hạn hoặc thiếu mã CSRF; vui lòng tải lại trang và thử lại.")),
                  400, "csrf_token")


MESSAGES = {
    400: N_("Yêu cầu không hợp lệ."),
    401: N_("Cần đăng nhập."),
    403: N_("Tài khoản không có quyền thực hiện thao tác này."),
    404: N_("Không tìm thấy trang hoặc đối tượng yêu cầu."),
    405: N_("Phương thức không được phép."),
    409: N_("Xung đột dữ liệu."),
    413: N_("Tệp hoặc nội dung gửi lên quá lớn."),
    500: N_("Lỗi máy chủ: thao tác chưa được thực hiện. Dữ liệu đã lưu vẫn nguyên vẹn; vui lòng thử lại hoặc báo quản trị viên."),
}


def http_error(error: HTTPException):
    if request.endpoint in JSON_PAGE_ENDPOINTS and not is_api_request():  # an upload from the capture page
        message = N_("Tệp gửi lên quá lớn.") if error.code == 413 else error.description
        return jsonify({"ok": False, "error": gettext(message), "field": "file"}), error.code
    message = MESSAGES.get(error.code)
    return answer(gettext(message) if message else error.description, error.code or 500)


def require_form(form):
    """The form, once its CSRF token (and fields) are valid; refused otherwise."""
    if not form.validate_on_submit():
        raise DomainError(N_("Phiên biểu mẫu đã hết hạn; vui lòng thử lại."), "csrf_token")
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
