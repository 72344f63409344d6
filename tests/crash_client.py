"""A client process for the crash test: autosaves and imports as fast as it can,
writing one line per write the server acknowledged, until the server goes away.

Run as `python -m tests.crash_client URL TOKEN VISIT_ID OUT_FILE NAME`.
"""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid

from survey_app.demo import seed_document


def post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def main(base: str, token: str, visit_id: str, out_path: str, name: str) -> None:
    failures = 0
    with open(out_path, "a", encoding="utf-8") as out:
        for n in range(100000):
            try:
                if n % 5 == 4:
                    doc = seed_document()
                    doc["uuid"] = str(uuid.uuid4())
                    status, body = post(f"{base}/api/v1/visits", token, doc)
                    record = {"kind": "import", "uuid": doc["uuid"], "status": status, "id": body.get("id")}
                else:
                    item = str(uuid.uuid4())
                    message = {"id": str(uuid.uuid4()), "target": "difficulty", "op": "add", "item": item,
                               "value": {"text": f"{name} khó khăn số {n}"}}
                    status, body = post(f"{base}/api/v1/visits/{visit_id}/changes", token, message)
                    record = {"kind": "change", "item": item, "status": status}
            except (urllib.error.URLError, ConnectionError, OSError):
                failures += 1
                if failures > 20:
                    return
                continue
            if record["status"] in (200, 201):
                out.write(json.dumps(record) + "\n")
                out.flush()


if __name__ == "__main__":
    main(*sys.argv[1:6])
