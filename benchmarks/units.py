"""The units directory at national scale: importing the list of 3,321 communes and
wards (a CSV generated here, 34 provinces) through the same path as `survey-app unit
import` (read, plan, one write transaction), against < 10 s; then the unit pickers'
search (`/units/search?q=`, through the Flask test client, queries typed without
diacritics) p95 against < 50 ms, with the bare SQL's p95 beside it."""
from __future__ import annotations

import random
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.followup import _app, p95_pair

NATIONAL = 3321
IMPORT_TARGET_S = 10
SEARCH_TARGET_MS = 50
PROVINCES = ("Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
             "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
             "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
             "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau",
             "An Giang")
SYLLABLES = ("An", "Bình", "Hòa", "Tân", "Phú", "Long", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Sơn", "Hải",
             "Thuận", "Mỹ", "Lộc", "Phước", "Xuân", "Hưng", "Ia", "Đak", "Krông", "Chư", "Vĩnh", "Quảng", "Yên",
             "Trung", "Hiệp", "Nghĩa", "Đức", "Thành", "Lợi", "Khánh", "Cẩm", "Gia", "Kim")


def national_csv(path: Path, rows: int = NATIONAL, seed: int = 12) -> list[str]:
    """A national list: communes and wards spread over 34 provinces; returns the names."""
    rnd = random.Random(seed)
    names, lines = [], ["ten_don_vi,loai,dia_ban,don_vi_cap_tren"]
    for i in range(rows):
        province = PROVINCES[i % len(PROVINCES)]
        kind = "phường" if rnd.random() < 0.2 else "xã"
        name = f"UBND {kind} {rnd.choice(SYLLABLES)} {rnd.choice(SYLLABLES)} {i // len(PROVINCES) + 1}"
        names.append(name)
        lines.append(f"{name},UBND {kind},tỉnh {province},")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return names


def run(quick: bool) -> dict:
    from survey_app.domain.directory import unit_import
    from survey_app.storage import units as units_sql
    from survey_app.storage.scope import EVERYTHING
    from survey_app.text import search_key
    folder = Path(tempfile.mkdtemp(prefix="bench-units-"))
    try:
        app = _app(folder)
        store = app.extensions["survey_store"]
        admin = store.db.execute("SELECT * FROM users WHERE username = 'admin'").fetchone()
        user = {"id": admin[0], "role": "admin", "username": "admin", "unit_id": None}
        path = folder / "national.csv"
        names = national_csv(path)
        data = path.read_bytes()
        started = time.perf_counter()
        plan = unit_import.import_units(store, user, path.name, data, dry_run=True)
        dry_s = time.perf_counter() - started
        started = time.perf_counter()
        done = unit_import.import_units(store, user, path.name, data, dry_run=False)
        import_s = time.perf_counter() - started
        assert done["applied"] and len(done["created"]) == NATIONAL, (len(plan["refused"]), plan["refused"][:3])
        client = app.test_client()
        client.post("/login", data={"username": "admin", "password": "demo-admin-2025"})
        rnd, runs = random.Random(5), 30 if quick else 200
        # What officials type: a few letters of a commune's name, without diacritics.
        queries = [search_key(" ".join(rnd.choice(names).split()[2:4]))[:rnd.randint(3, 9)] for _ in range(64)]
        turn = iter(range(10**9))

        def page():
            query = queries[next(turn) % len(queries)]
            assert client.get(f"/units/search?q={query}").status_code == 200

        def bare():
            units_sql.search_units(store.db, EVERYTHING, queries[0], 20)
        page_ms, sql_ms, cpu_ms = p95_pair(page, bare, runs)
        store.close()
        return {"sizes": {"units": NATIONAL}, "figures": [
            {"name": "import of the national list (3,321 units), dry run", "value": round(dry_s, 2), "unit": "s",
             "target": "-", "ok": True},
            {"name": "import of the national list (3,321 units)", "value": round(import_s, 2), "unit": "s",
             "target": f"< {IMPORT_TARGET_S}", "ok": import_s < IMPORT_TARGET_S},
            {"name": "unit search (picker), 3,324 units, p95", "value": round(page_ms, 1), "unit": "ms",
             "target": f"< {SEARCH_TARGET_MS}", "ok": page_ms < SEARCH_TARGET_MS},
            {"name": "unit search, CPU time p95", "value": round(cpu_ms, 1), "unit": "ms", "target": "-", "ok": True},
            {"name": "unit search, its SQL alone p95", "value": round(sql_ms, 1), "unit": "ms", "target": "-",
             "ok": True}]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    import json
    import sys
    print(json.dumps(run("--quick" in sys.argv), ensure_ascii=False, indent=2))
