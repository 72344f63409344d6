"""Survey report benchmark (issue 13, item 6): a delegation with 135 visits (one per
commune, figures and points varied), all with final minutes; the time to produce its
report PDF (read the visits, compare, render with WeasyPrint) and its DOCX.

Target: the PDF in under 5 s. The visits are imported through the visit-document
import; their status is then set to final directly (setting up, not measured: the
report reads the record and the status only).
"""
from __future__ import annotations

import copy
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

VISITS, QUICK_VISITS = 135, 20
TARGET_S = 5.0


def _documents(n: int) -> list[dict]:
    from survey_app.demo import SURVEY_VISITS, seed_document
    import json
    rng = random.Random(13)
    bases = [seed_document()] + [json.loads(p.read_text(encoding="utf-8")) for p in SURVEY_VISITS]
    docs = []
    for i in range(n):
        doc = copy.deepcopy(bases[i % len(bases)])
        doc["uuid"] = f"00000000-0000-4000-8000-{i:012d}"
        doc["host"] = {**doc["host"], "unit": f"UBND xã Thử nghiệm {i + 1:03d}", "locality": f"xã Thử nghiệm {i + 1:03d}",
                       "place": f"Trung tâm Phục vụ hành chính công xã Thử nghiệm {i + 1:03d}"}
        doc["started_at"] = f"2025-{10 + i // 60:02d}-{1 + i % 28:02d}T08:00:00+07:00"
        doc.pop("ended_at", None)
        received = rng.randint(200, 1500)
        online = int(received * rng.uniform(0.4, 0.95))
        resolved = int(received * rng.uniform(0.8, 0.97))
        doc["report"]["indicators"] = {"dossiers_received": received, "dossiers_online": online,
                                       "dossiers_resolved": resolved, "dossiers_in_progress": received - resolved,
                                       "dossiers_overdue": rng.randint(0, 30),
                                       "on_time_rate_pct": round(rng.uniform(80, 99), 1)}
        doc["photos"] = []
        docs.append(doc)
    return docs


def _setup(folder: Path, n: int):
    from survey_app import create_app
    from survey_app.clock import now_utc
    from survey_app.demo import load_demo
    from survey_app.domain.visits.document import import_document
    from survey_app.storage import accounts as accounts_sql
    from survey_app.storage import visits as visits_sql
    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "bench"})
    store, forms = app.extensions["survey_store"], app.extensions["survey_forms"]
    load_demo(store, forms, app.extensions["survey_files"] / "photos")
    head = store.read(accounts_sql.get_user_by_username, "truongdoan")
    ids = [import_document(store, forms, head, doc, None)["id"] for doc in _documents(n)]
    for visit_id in ids + [1]:
        store.write(visits_sql.touch_visit, visit_id, now_utc(), status="minutes_final")
    return app


def _timed(fn, runs: int) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of `runs` calls, and the last result. CPU time is
    what the render costs; wall-clock adds the wait for a core on a shared machine."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def run(quick: bool) -> dict:
    from survey_app.domain.survey_report import documents as docs
    from survey_app.domain.survey_report import operations as ops
    from survey_app.services import minutes_env
    n = QUICK_VISITS if quick else VISITS
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        app = _setup(Path(tmp), n)
        store, forms = app.extensions["survey_store"], app.extensions["survey_forms"]
        with app.app_context():
            env = minutes_env()
            report = ops.latest(store, 1)
            docs.report_pdf(store, forms, env, report)  # warm-up: fonts, templates
            load = os.getloadavg()[0]
            pdf_s, pdf_cpu, pdf = _timed(lambda: docs.report_pdf(store, forms, env, report), 1 if quick else 3)
            docx_s, docx_cpu, docx = _timed(lambda: docs.report_docx(store, forms, env, report), 1 if quick else 3)
        store.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = [
        {"name": f"report PDF of a delegation with {n + 1} visits, wall-clock", "value": round(pdf_s, 2), "unit": "s",
         "target": f"≤ {TARGET_S}", "ok": pdf_s <= TARGET_S},
        {"name": f"report PDF of a delegation with {n + 1} visits, CPU", "value": round(pdf_cpu, 2), "unit": "s",
         "target": f"≤ {TARGET_S}", "ok": pdf_cpu <= TARGET_S},
        {"name": f"report DOCX, {n + 1} visits, wall-clock", "value": round(docx_s, 2), "unit": "s", "target": "-",
         "ok": True},
        {"name": f"report DOCX, {n + 1} visits, CPU", "value": round(docx_cpu, 2), "unit": "s", "target": "-",
         "ok": True},
        {"name": "load average (1 min) when measured", "value": round(load, 1), "unit": "", "target": "-", "ok": True},
        {"name": "report PDF size", "value": round(len(pdf) / 1024), "unit": "KiB", "target": "-", "ok": True},
        {"name": "report DOCX size", "value": round(len(docx) / 1024), "unit": "KiB", "target": "-", "ok": True},
        {"name": "peak RSS of the benchmark process", "value": round(rss_mb), "unit": "MiB", "target": "-", "ok": True},
    ]
    for figure in figures:
        print(f"  {figure['name']}: {figure['value']} {figure['unit']}", flush=True)
    return {"figures": figures}
