"""`survey-app delegation create|edit` set what the API can: the period, the signature
layout (Mẫu 1.9 or three-party), the minutes' place, copies and distribution list, with
the API's checks and messages (field named, exit code 2, nothing saved), through the
real console script."""
from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from .live import BIN, LiveServer


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("cli_delegation"))
    server.cli("init")
    return server


def run(instance, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "survey-app"), "delegation", *args], env=instance.env,
                          capture_output=True, text=True, timeout=120)


def shown(instance, delegation_id: int) -> dict:
    listing = run(instance, "list", "--json")
    assert listing.returncode == 0, listing.stderr
    return next(d for d in json.loads(listing.stdout) if d["id"] == delegation_id)


def rows(instance) -> tuple[int, int]:
    with sqlite3.connect(Path(instance.env["SURVEY_APP_INSTANCE"]) / "survey_app.db") as db:
        return (db.execute("SELECT count(*) FROM delegations").fetchone()[0],
                db.execute("SELECT count(*) FROM audit_log").fetchone()[0])


BASE = ["--body", "Ban Văn hóa - Xã hội", "--member", "Rơ Châm H'Bia;Trưởng Ban;head"]


def test_create_and_edit_the_new_fields(instance):
    created = run(instance, "create", "--name", "Đoàn khảo sát giáo dục", *BASE,
                  "--period-from", "2032-03-02", "--period-to", "2032-03-27", "--signature-layout", "mau_1_9",
                  "--minutes-place", "Chư Sê", "--minutes-copies", "Đoàn khảo sát: 2",
                  "--minutes-copies", "[Đơn vị được khảo sát]: 1",
                  "--minutes-recipients", "Thường trực HĐND tỉnh;", "--minutes-recipients", "Lưu: VT.")
    assert created.returncode == 0, created.stderr
    new_id = int(created.stdout.strip())
    first = shown(instance, new_id)
    assert first["period"] == {"from": "2032-03-02", "to": "2032-03-27"}
    assert first["signature_layout"] == "mau_1_9" and first["minutes_place"] == "Chư Sê"
    assert first["minutes_copies"] == [{"holder": "Đoàn khảo sát", "copies": 2},
                                       {"holder": "[Đơn vị được khảo sát]", "copies": 1}]
    assert first["minutes_recipients"] == ["Thường trực HĐND tỉnh", "Lưu: VT"]

    edited = run(instance, "edit", str(new_id), "--period-to", "2032-04-10", "--signature-layout", "three_party",
                 "--minutes-recipients", "Lưu: VT, Ban VH-XH")
    assert edited.returncode == 0, edited.stderr
    second = shown(instance, new_id)
    assert second["period"] == {"from": "2032-03-02", "to": "2032-04-10"}, "one end given keeps the other"
    assert second["signature_layout"] == "three_party"
    assert second["minutes_recipients"] == ["Lưu: VT, Ban VH-XH"]
    assert second["minutes_copies"] == first["minutes_copies"] and second["minutes_place"] == "Chư Sê"

    cleared = run(instance, "edit", str(new_id), "--minutes-place", "", "--minutes-copies", "",
                  "--minutes-recipients", "", "--period-from", "")
    assert cleared.returncode == 0, cleared.stderr
    third = shown(instance, new_id)
    assert not {"minutes_place", "minutes_copies", "minutes_recipients"} & set(third), "back to the defaults"
    assert third["period"] == {"from": "", "to": "2032-04-10"}


@pytest.mark.parametrize("args,field,words", [
    (["--signature-layout", "hai_ben"], "signature_layout", "Vui lòng chọn cách bố trí chữ ký"),
    (["--period-from", "2032-02-30"], "period.from", ""),
    (["--period-from", "2032-05-01", "--period-to", "2032-04-01"], "period.to",
     "Vui lòng nhập ngày kết thúc thời gian khảo sát không trước ngày bắt đầu."),
    (["--minutes-copies", "Đoàn khảo sát: 50"], "minutes_copies[0].copies", "Vui lòng nhập số bản từ 1 đến 20."),
    (["--minutes-place", "x" * 101], "minutes_place", "Vui lòng nhập địa danh"),
])
def test_bad_values_are_refused_naming_the_field_and_nothing_is_saved(instance, args, field, words):
    before = rows(instance)
    result = run(instance, "create", "--name", f"Đoàn lỗi {field}", *BASE, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"(trường: {field})" in result.stderr and words in result.stderr
    assert rows(instance) == before


def test_a_refused_edit_changes_nothing(instance):
    created = run(instance, "create", "--name", "Đoàn sửa lỗi", *BASE, "--period-from", "2032-05-01")
    new_id = int(created.stdout.strip())
    before, row_before = rows(instance), shown(instance, new_id)
    refused = run(instance, "edit", str(new_id), "--period-to", "2032-04-01", "--minutes-place", "Pleiku")
    assert refused.returncode == 2 and "(trường: period.to)" in refused.stderr, "the kept start is checked"
    assert rows(instance) == before and shown(instance, new_id) == row_before
