"""Rate limits per client address (Flask-Limiter, counted in memory) on what a
stranger can make the server work for: the public verification page (a check of a
file or of a code; opening the empty page is free), the verify API, and the public
pages of published survey reports (`PUBLIC_RATE_LIMIT`).

Each app has its own limiter, so the limits come from its configuration
(`VERIFY_RATE_LIMIT`, e.g. `20 per minute;200 per day`).
"""
from __future__ import annotations

from flask import Flask, current_app, make_response, request
from flask_babel import gettext
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from survey_app.domain.minutes.verification import VerifierBusy
from survey_app.markers import N_
from survey_app.web.errors import answer, refusal_text

LIMITED = {"verify.page": "VERIFY_RATE_LIMIT", "api_minutes.verify": "VERIFY_RATE_LIMIT",
           **{f"public.{name}": "PUBLIC_RATE_LIMIT" for name in ("index", "report", "report_json", "report_pdf", "feed")}}
TOO_MANY = N_("Địa chỉ của quý vị đã gửi quá nhiều yêu cầu xác thực; vui lòng thử lại sau ít phút.")
TOO_MANY_PUBLIC = N_("Địa chỉ của quý vị đã gửi quá nhiều yêu cầu; vui lòng thử lại sau ít phút.")
RETRY_AFTER_BUSY = "5"


def init_app(app: Flask) -> None:
    """Wrap the limited endpoints (their blueprints registered already)."""
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", headers_enabled=True,
                      strategy="fixed-window")
    for endpoint, key in LIMITED.items():
        app.view_functions[endpoint] = limiter.limit(
            lambda key=key: current_app.config[key],
            exempt_when=_just_opening if key == "VERIFY_RATE_LIMIT" else None)(app.view_functions[endpoint])
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    app.register_error_handler(VerifierBusy, verifier_busy)
    app.extensions["survey_limiter"] = limiter


def _just_opening() -> bool:
    """Opening the verification page costs nothing: only a check counts."""
    return request.method == "GET" and not request.args.get("code")


def too_many_requests(error: RateLimitExceeded):
    public = (request.endpoint or "").startswith("public.")
    response = make_response(answer(gettext(TOO_MANY_PUBLIC if public else TOO_MANY), 429))
    response.headers.setdefault("Retry-After", str(_retry_after(error)))
    return response


def _retry_after(error: RateLimitExceeded) -> int:
    try:
        return max(1, int(error.limit.limit.get_expiry()))
    except Exception:  # the header is advice: a minute is a fair default
        return 60


def verifier_busy(error: VerifierBusy):
    response = make_response(answer(refusal_text(error), 503))
    response.headers["Retry-After"] = RETRY_AFTER_BUSY
    return response
