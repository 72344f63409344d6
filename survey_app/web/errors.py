"""Turning refusals into answers: JSON `{"error", "field"}` for the API, a page otherwise."""
from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
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
    if is_api_request():
        return jsonify({"error": message, "field": field}), status
    return render_template("error.html", message=message, status=status), status


# Page routes that answer JSON (the capture page's autosave and uploads).
JSON_PAGE_ENDPOINTS = {"visits.changes", "visits.upload_photo", "visits.from_device"}


def disk_error(error: OSError):
    """A full disk (507) or read-only instance folder (503): a clear message, no traceback;
    the write was atomic, so nothing half-written is left and the database is intact."""
    message = disk_problem(error)
    if message is None:
        raise error
    status = 507 if error.errno in DISK_FULL else 503
    if is_api_request() or request.is_json or request.endpoint in JSON_PAGE_ENDPOINTS:
        return jsonify({"ok": False, "error": message, "field": None}), status
    return render_template("error.html", message=message, status=status), status


def domain_error(error: DomainError):
    return answer(error.message, error.status, error.field)


def store_busy(error: StoreBusy):
    response = make_response(answer(N_("Hệ thống đang bận, vui lòng thử lại sau giây lát."), 503))
    response.headers["Retry-After"] = "2"
    return response


def csrf_error(error: CSRFError):
    return answer(N_("Phiên biểu mẫu đã hết hạn hoặc thiếu mã CSRF; hãy tải lại trang và thử lại."), 400, "csrf_token")


MESSAGES = {
    400: N_("Yêu cầu không hợp lệ."),
    401: N_("Cần đăng nhập."),
    403: N_("Bạn không có quyền thực hiện thao tác này."),
    404: N_("Không tìm thấy trang hoặc đối tượng yêu cầu."),
    405: N_("Phương thức không được phép."),
    409: N_("Xung đột dữ liệu."),
    413: N_("Tệp hoặc nội dung gửi lên quá lớn."),
    500: N_("Lỗi máy chủ: thao tác chưa được thực hiện. Dữ liệu đã lưu vẫn nguyên vẹn; hãy thử lại hoặc báo quản trị viên."),
}


def http_error(error: HTTPException):
    return answer(MESSAGES.get(error.code, error.description), error.code or 500)
