"""Who may reach what: every endpoint needs a signed-in user except a short list;
the API answers 401 JSON instead of redirecting. A session is valid only while its
user is active and still in the session epoch it was made in (logout, a password
change, disabling and "sign out everywhere" move the epoch on); a user signed in with
a temporary password reaches only the password page until they change it. Security
headers on every answer; nothing a signed-in user sees is stored by a cache."""
from __future__ import annotations

from flask import Flask, g, jsonify, redirect, request, session, url_for

from survey_app.storage import accounts as sql
from survey_app.web.context import get_store

PUBLIC_ENDPOINTS = {"auth.login", "static", "shell.health", "bench.hello", "vendor.asset", "verify.page",
                    "offline.service_worker", "offline.manifest",
                    "followup_docs.calendar_feed",  # the iCal feed checks its own token
                    "public.index", "public.report", "public.report_json", "public.report_pdf", "public.feed"}

# What a user holding a temporary password may open before changing it.
WHILE_CHANGING_PASSWORD = PUBLIC_ENDPOINTS | {"auth.change_password", "auth.logout", "offline.token"}

PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def init_app(app: Flask) -> None:
    app.before_request(load_user)
    app.before_request(require_login)
    app.after_request(add_headers)


def load_user() -> None:
    user_id = session.get("user_id")
    user = get_store().read(sql.get_user, user_id) if user_id else None
    if user is not None and session.get("epoch") != user["session_epoch"]:
        user = None  # the session ended on the server: sign-out, password change, ...
    if user is None and user_id:
        session.clear()
    g.user = user


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def require_login():
    if g.user is not None and g.user.get("must_change_password") and not is_api_request() \
            and request.endpoint not in WHILE_CHANGING_PASSWORD:
        return redirect(url_for("auth.change_password"))
    if is_api_request() or request.endpoint in PUBLIC_ENDPOINTS or g.user is not None:
        return None
    if request.endpoint is None:  # unknown URL: let it 404 only for signed-in users
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def add_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    if g.get("user") is not None and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def api_unauthorized():
    return jsonify({"error": "Cần xác thực: gửi tiêu đề Authorization: Bearer TOKEN.",
                    "field": "Authorization"}), 401
