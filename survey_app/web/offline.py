"""The installable web app: the service worker at the root scope (so it covers every
page; served with static/js/constants.js in front of it, the names it shares with the
pages), the manifest, and a fresh CSRF token for a tablet whose cached page has kept
an old one while it was offline."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
def service_worker():
    static = Path(current_app.static_folder)
    parts = [(static / name).read_text(encoding="utf-8") for name in ("js/constants.js", "sw.js")]
    response = current_app.response_class("\n".join(parts), mimetype="text/javascript")
    response.add_etag()
    response.make_conditional(request)
    response.headers["Cache-Control"] = "no-cache"  # a new version is picked up at the next visit
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    icon = url_for("static", filename="icons/app.svg")
    response = jsonify({
        "name": _("Đoàn khảo sát"), "short_name": _("Khảo sát"), "lang": "vi", "start_url": "/visits",
        "scope": "/", "display": "standalone", "background_color": "#ffffff", "theme_color": "#a3161a",
        "icons": [{"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "any"}]})
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline/token")
def token():
    return jsonify({"csrf": generate_csrf()})
