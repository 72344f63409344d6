"""Every document the app makes, from the seed and from a second, realistic visit: size
and production time (median of 3 after a warm-up), printed as a table.

The seed instance is `survey-app init --demo` (benchmarks/instance.py). Its follow-up
report (draft and final), XLSX, CSV, iCal, reminder digest, plan and outline go through
the domain functions the pages call; the plan gets a period and two rows first. The
minutes (PDF and DOCX) are rendered from the seed's visit document and from a second
visit (`second_visit`: another unit, other figures, photos, recommendations with and
without a due date) through the minutes' own renderer, as the tests do.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

RUNS = 3
OUT = Path(__file__).parent / "out"


def _measure(make) -> tuple[bytes, float]:
    make()  # warm-up: fonts, templates
    times, data = [], b""
    for _ in range(RUNS):
        start = time.perf_counter()
        data = make()
        times.append((time.perf_counter() - start) * 1000)
    return data if isinstance(data, bytes) else data.encode("utf-8"), statistics.median(times)


def _photo(size: tuple[int, int], n: int) -> bytes:
    """A camera-like JPEG: noise over a gradient (a flat colour compresses to nothing)."""
    from io import BytesIO

    from PIL import Image
    gradient = Image.linear_gradient("L").resize(size)
    base = Image.merge("RGB", (gradient, Image.new("L", size, 60 + 50 * n), gradient.transpose(Image.FLIP_LEFT_RIGHT)))
    noise = Image.effect_noise(size, 48).convert("RGB")
    buffer = BytesIO()
    Image.blend(base, noise, 0.35).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def second_visit(seed: dict) -> dict:
    """The seed visit's document made into another unit's visit."""
    import base64
    doc = copy.deepcopy(seed)
    doc["uuid"] = "6c2f0b1e-2d4a-4c55-9a0e-3b7f1d2c8e91"
    text = json.dumps(doc, ensure_ascii=False).replace("Hra", "Ia Hrú").replace("HRA", "IA HRÚ")
    doc = json.loads(text)
    doc["report"]["indicators"] = {"dossiers_received": 4127, "dossiers_online": 2980, "dossiers_resolved": 3902,
                                   "dossiers_in_progress": 225, "on_time_rate_pct": 96.4}
    doc["host"]["attendees"] = [{"name": "Nay H'Lan", "title": "Phó Chủ tịch UBND xã"},
                                {"name": "Rơ Mah Thuận", "title": "Giám đốc Trung tâm Phục vụ hành chính công xã"}]
    doc["delegation"]["members"] += [{"name": "Trần Thị C", "title": "Chuyên viên Văn phòng", "role": "secretary"},
                                     {"name": "Siu Hờ", "title": "Phó Trưởng Ban Pháp chế HĐND tỉnh",
                                      "role": "deputy"}]
    addressee = "UBND xã Ia Hrú"
    doc["recommendations"] = [
        {"text": "Bố trí thêm 01 công chức tại bộ phận một cửa trong quý I năm 2026 để giảm thời gian chờ "
                 "của người dân vào các ngày thứ Hai.", "addressee": addressee, "due": "2026-03-31"},
        {"text": "Rà soát, công khai đầy đủ thủ tục hành chính lĩnh vực đất đai, hộ tịch tại Trung tâm và "
                 "trên Cổng dịch vụ công của tỉnh.", "addressee": addressee, "due": "2026-01-11", "due_default": True},
        {"text": "Sửa chữa máy lấy số thứ tự và màn hình hiển thị kết quả giải quyết hồ sơ.",
         "addressee": addressee, "due": "2026-02-15"},
        {"text": "Tăng cường hướng dẫn người dân nộp hồ sơ trực tuyến, nhất là người cao tuổi và đồng bào "
                 "dân tộc thiểu số; báo cáo kết quả về Ban Pháp chế.", "addressee": "Văn phòng HĐND và UBND xã",
         "due": "2026-01-11", "due_default": True},
    ]
    captions = ["Bộ phận một cửa xã Ia Hrú", "Bảng niêm yết thủ tục hành chính", "Khu vực chờ của người dân"]
    doc["photos"] = [{"caption": caption, "credit": "Ksor Y Phun", "mime": "image/jpeg",
                      "data": base64.b64encode(_photo(size, n)).decode()}
                     for n, (caption, size) in enumerate(zip(captions, ((1600, 1200), (1200, 1600), (2000, 1125))))]
    return doc


SECOND_VISIT_INPUT = {
    "number": 6, "issued_place": "Ia Hrú",
    "computed_rows": [{"key": "online_rate_pct", "label": "Tỷ lệ hồ sơ tiếp nhận trực tuyến", "value": 72.2,
                       "unit": "%"}],  # 2 980 / 4 127
    "signatories": [
        {"role": "host", "title_lines": ["Đại diện UBND xã Ia Hrú"], "name": "Nay H'Lan", "image_png": None},
        {"role": "head", "title_lines": ["TM. Đoàn khảo sát", "Trưởng đoàn"], "name": "Đinh Ly An",
         "image_png": None},
        {"role": "secretary", "title_lines": ["Thư ký"], "name": "Trần Thị C", "image_png": None}],
    "recipients": ["Thường trực HĐND tỉnh", "UBND xã Ia Hrú", "Lưu: VT, BPC"]}


def _minutes(seed: dict) -> list[tuple[str, object]]:
    from survey_app.documents import render_html, render_pdf
    from survey_app.domain.minutes.context import build_context
    from survey_app.domain.minutes.docx import render_docx
    from tests.test_minutes_documents import make_input
    rows = []
    for label, document in (("seed", seed), ("second visit", second_visit(seed))):
        changes = {} if label == "seed" else SECOND_VISIT_INPUT
        ctx = build_context(make_input(document, **changes))
        rows.append((f"minutes PDF ({label})", lambda ctx=ctx: render_pdf(render_html(ctx))))
        rows.append((f"minutes DOCX ({label})", lambda ctx=ctx: render_docx(ctx)))
    return rows


def _instance_documents(app) -> list[tuple[str, object]]:
    from survey_app.domain.directory import delegations
    from survey_app.domain.followup import reminders, report as followup_report, reports as issued, spreadsheet
    from survey_app.domain.plans import documents as plan_docs
    from survey_app.domain.plans import operations as plans
    from survey_app.services import minutes_env
    from tests.support import seed_visit, user
    store, forms, env = app.extensions["survey_store"], app.extensions["survey_forms"], minutes_env()
    admin, secretary = user(store, "admin"), user(store, "thuky")
    filters = {"visit_from": None, "visit_to": None, "delegation_id": None, "unit_id": None}
    data = followup_report.report_data(store, admin, filters)
    draft = issued.create_draft(store, secretary, filters, "Nguyễn Văn A", "Trưởng Ban")
    rows = [("follow-up report PDF (draft)", lambda: issued.pdf_of(store, env, secretary, draft)[1])]

    def final():  # a new draft numbered and finalized (the PDF is made and kept at finalize)
        report_id = issued.create_draft(store, secretary, filters, "Nguyễn Văn A", "Trưởng Ban")
        issued.finalize(store, env, secretary, report_id)
        return issued.pdf_of(store, env, secretary, report_id)[1]
    rows.append(("follow-up report PDF (final, numbered)", final))
    rows += [("follow-up XLSX", lambda: spreadsheet.report_xlsx(data)),
             ("follow-up CSV", lambda: followup_report.report_csv(data)),
             ("iCal feed", lambda: reminders.calendar_feed(store, admin, "https://khaosat.example.vn"))]
    today = data["today"]
    digest = reminders.digests(store, admin, 366)[0]
    rows.append(("reminder digest (HTML)", lambda: reminders.digest_html(digest, 366, today)))
    delegation_id = seed_visit(store)["delegation_id"]
    day = dt.date.fromisoformat(today) + dt.timedelta(days=10)
    delegations.update(store, admin, delegation_id,
                       {"period": {"from": day.isoformat(), "to": (day + dt.timedelta(days=20)).isoformat()}})
    from survey_app.demo import OTHER_UNIT
    plans.save_plan(store, forms, secretary, delegation_id, {"rows": [
        {"unit": unit, "started_at": f"{(day + dt.timedelta(days=n + 1)).isoformat()}T08:00:00+07:00",
         "place": "Hội trường", "form": "ttpvhcc-xa"} for n, unit in enumerate((OTHER_UNIT,))]})
    plan = plan_docs.plan_document(store, forms, secretary, delegation_id)
    outline = plan_docs.outline_document(store, forms, secretary, delegation_id, "ttpvhcc-xa")
    rows += [("plan PDF", lambda: plan_docs.pdf(plan, plan_docs.PLAN_TEMPLATE)),
             ("plan DOCX", lambda: plan_docs.docx(plan)),
             ("outline PDF", lambda: plan_docs.pdf(outline, plan_docs.OUTLINE_TEMPLATE)),
             ("outline DOCX", lambda: plan_docs.docx(outline, outline=True))]
    return rows


def run(quick: bool) -> dict:
    from tests.test_minutes_documents import DATA
    from .instance import demo_server
    seed = json.loads(DATA.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo_server(folder)
        os.environ["SURVEY_APP_INSTANCE"] = str(folder / "instance")
        from survey_app import create_app
        app = create_app({"INSTANCE_PATH": str(folder / "instance"), "BASE_URL": "https://khaosat.example.vn"})
        with app.app_context(), app.test_request_context():
            made = _minutes(seed) + _instance_documents(app)
            results = []
            for name, make in made:
                data, ms = _measure(make)
                results.append({"document": name, "bytes": len(data), "ms": round(ms, 1)})
                if os.environ.get("BENCH_KEEP_DOCUMENTS"):
                    OUT.mkdir(exist_ok=True)
                    (OUT / (name.replace(" ", "-").replace("(", "").replace(")", "") + _suffix(name))).write_bytes(data)
    table = ["| document | size | production time (median of 3) |", "|---|---:|---:|"]
    table += [f"| {r['document']} | {r['bytes'] / 1024:,.1f} KiB | {r['ms']:,.0f} ms |" for r in results]
    print("\n".join(table))
    return {"documents": results, "table": "\n".join(table),
            "figures": [{"name": r["document"], "value": r["ms"], "unit": "ms", "target": "-", "ok": True}
                        for r in results]}


def _suffix(name: str) -> str:
    for word, suffix in (("PDF", ".pdf"), ("DOCX", ".docx"), ("XLSX", ".xlsx"), ("CSV", ".csv"),
                         ("iCal", ".ics"), ("HTML", ".html")):
        if word in name:
            return suffix
    return ".bin"


if __name__ == "__main__":
    run(os.environ.get("BENCH_QUICK") == "1")
