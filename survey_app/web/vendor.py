"""Browser libraries installed from the npm registry (package.json), served from
node_modules: only the files listed here, never the folder."""
from __future__ import annotations

from flask import Blueprint, abort, send_file

from survey_app.config import PROJECT_ROOT

bp = Blueprint("vendor", __name__)

NODE_MODULES = PROJECT_ROOT / "node_modules"
# URL name → file inside node_modules.
ASSETS = {
    "signature_pad.js": "signature_pad/dist/signature_pad.umd.min.js",
    "idb-keyval.js": "idb-keyval/dist/umd.js",
}


@bp.route("/vendor/<name>")
def asset(name):
    relative = ASSETS.get(name)
    if relative is None or not (NODE_MODULES / relative).is_file():
        abort(404)
    return send_file(NODE_MODULES / relative, mimetype="text/javascript", max_age=86400)
