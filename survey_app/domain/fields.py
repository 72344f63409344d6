"""The words a refusal names a request's field by: `field_label("period.from")` is
"Kỳ báo cáo từ ngày", translated where it is shown. The key itself stays in the
error's `field` member (DESIGN.md's `{"error", "field"}`), never in its words."""
from __future__ import annotations

import re

from survey_app.domain.errors import Label
from survey_app.markers import N_

# By the key's path without list positions; the longest known ending wins.
FIELD_LABELS = {
    "summary": N_("Tóm tắt báo cáo"),
    "period": N_("Kỳ báo cáo"),
    "period.from": N_("Kỳ báo cáo từ ngày"),
    "period.to": N_("Ngày cuối kỳ báo cáo"),
    "indicators": N_("Số liệu"),
    "difficulties": N_("Khó khăn, vướng mắc"),
    "proposals": N_("Đề xuất, kiến nghị của đơn vị"),
    "text": N_("Nội dung"),
    "addressee": N_("Đơn vị thực hiện"),
    "due": N_("Thời hạn thực hiện"),
    "name": N_("Họ và tên"),
    "title": N_("Chức vụ"),
    "note": N_("Ghi chú"),
    "place": N_("Địa điểm"),
    "locality": N_("Địa bàn"),
    "unit": N_("Đơn vị"),
    "unit_id": N_("Đơn vị"),
    "delegation": N_("Đoàn"),
    "requirements": N_("Yêu cầu"),
    "purpose": N_("Mục đích"),
    "issued_place": N_("Địa danh ở dòng ngày tháng"),
    "issued_date": N_("Ngày ban hành"),
    "decision.date": N_("Ngày của quyết định thành lập Đoàn"),
    "decision.number": N_("Số của quyết định thành lập Đoàn"),
    "from": N_("Từ ngày"),
    "to": N_("Đến ngày"),
    "figures": N_("Kỳ số liệu"),
    "figures.from": N_("Ngày đầu kỳ số liệu"),
    "figures.to": N_("Ngày cuối kỳ số liệu"),
    "page": N_("Số trang"),
    "days": N_("Số ngày"),
    "month": N_("Tháng"),
    "username": N_("Tên đăng nhập"),
    "messages": N_("Danh sách thay đổi"),
    "position": N_("Vị trí của mục"),
    "base_version": N_("Phiên bản đã thấy"),
    "target": N_("Trường cần sửa"),
    "rows": N_("Lịch khảo sát"),
    "row": N_("Dòng của lịch khảo sát"),
    "fields": N_("Thông tin của kế hoạch"),
    "body": N_("Nội dung yêu cầu"),
}
POSITION = re.compile(r"\[\d+\]")


def field_label(path: str) -> Label:
    """The words for the field at `path` (`difficulties[2].text` → "Nội dung"), or the
    path itself for a key of no known meaning (one the client made up)."""
    parts = POSITION.sub("", path).split(".")
    for start in range(len(parts)):
        found = FIELD_LABELS.get(".".join(parts[start:]))
        if found:
            return Label(found)
    return Label(path)
