"""XLSForm workbooks written for the tests, modelled on the features that published
forms use (ODK's documentation examples and XLSForm template, KoboToolbox's sample
household form): types, groups, select_one lists, relevant, required, constraint,
calculate, hint, note, translations; written here, not copied. `workbook()` builds the
.xlsx bytes with openpyxl from plain rows."""
from __future__ import annotations

import io

import openpyxl

EN = "label::English (en)"


def workbook(survey, choices=(), settings=None, rules=(), extra_sheets=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    _fill(sheet, survey)
    if choices:
        _fill(book.create_sheet("choices"), choices)
    _fill(book.create_sheet("settings"), settings or [["form_id", "form_title", "version"],
                                                       ["mau-thu", "Biểu mẫu thử", "1"]])
    if rules:
        _fill(book.create_sheet("rules"), rules)
    for name, rows in extra_sheets:
        _fill(book.create_sheet(name), rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet, rows):
    for row in rows:
        sheet.append(list(row))


# Like ODK's first examples: questions without groups, a note, a hint, a list.
ODK_BASICS = dict(
    survey=[["type", "name", "label", "hint", "required", "relevant"],
            ["note", "intro", "Phiếu ghi nhận nhanh tại đơn vị."],
            ["text", "respondent", "Người trả lời", "Họ và tên, chức vụ", "yes"],
            ["integer", "staff_count", "Số cán bộ", "", "yes"],
            ["select_one yes_no", "has_wifi", "Có mạng wifi cho người dân", "", ""],
            ["text", "wifi_name", "Tên mạng wifi", "", "", "${has_wifi} = 'yes'"],
            ["date", "visit_day", "Ngày khảo sát"],
            ["image", "front_photo", "Ảnh mặt tiền"]],
    choices=[["list_name", "name", "label"], ["yes_no", "yes", "Có"], ["yes_no", "no", "Không"]],
    settings=[["form_id", "form_title", "version"], ["ghi-nhan-nhanh", "Ghi nhận nhanh", "3"]])

# Like KoboToolbox's household sample: groups with skip logic, translations, a
# calculation and a constraint in the figures, a consistency rule.
KOBO_GROUPS = dict(
    survey=[["type", "name", "label", EN, "hint", "required", "relevant", "constraint",
             "calculation", "unit"],
            ["begin group", "portal", "Cổng dịch vụ công", "Portal"],
            ["select_one yes_partly_no", "has_online_portal", "Có cổng trực tuyến",
             "Has an online portal", "", "yes"],
            ["select_one speed", "portal_speed", "Tốc độ cổng", "Portal speed", "", "yes",
             "${has_online_portal} = 'yes'"],
            ["end group"],
            ["begin group", "online", "Hồ sơ trực tuyến", "Online dossiers", "", "",
             "${has_online_portal} != 'no' and not(${portal_speed} = 'down')"],
            ["decimal", "online_hours", "Giờ trực tuyến mỗi ngày", "Online hours a day", "", "",
             "", "", "", "giờ"],
            ["text", "slow_reason", "Lý do chậm", "Why slow", "", "",
             "selected(${portal_speed}, 'slow') or ${online_hours} < 8"],
            ["end group"],
            ["begin group", "indicators", "Chỉ tiêu", "Figures"],
            ["integer", "received", "Hồ sơ tiếp nhận", "Dossiers received", "", "", "", ". >= 0",
             "", "hồ sơ"],
            ["integer", "online_received", "Hồ sơ trực tuyến", "Online dossiers", "", "", "",
             ". >= 0 and . <= 100000", "", "hồ sơ"],
            ["calculate", "online_rate", "Tỷ lệ trực tuyến", "Online share", "", "", "", "",
             "round(${online_received} div ${received} * 100, 1)", "%"],
            ["end group"]],
    choices=[["list_name", "name", "label", EN],
             ["yes_partly_no", "yes", "Có", "Yes"], ["yes_partly_no", "partly", "Một phần", "Partly"],
             ["yes_partly_no", "no", "Không", "No"],
             ["speed", "fast", "Nhanh", "Fast"], ["speed", "slow", "Chậm", "Slow"],
             ["speed", "down", "Hay ngừng", "Often down"]],
    settings=[["form_id", "form_title", "form_title::English (en)", "version"],
              ["cong-dvc", "Khảo sát cổng dịch vụ công", "Public service portal survey", "2"]],
    rules=[["name", "expression", "message", "message::English (en)"],
           ["online_within_total", "${online_received} <= ${received}",
            "Số hồ sơ trực tuyến lớn hơn tổng số hồ sơ.", "More online dossiers than dossiers."]])

# Like ODK's "all widgets" form: the types this application does not take.
ODK_WIDGETS = dict(
    survey=[["type", "name", "label"],
            ["text", "name_of_place", "Tên địa điểm"],
            ["geopoint", "location", "Vị trí"],
            ["audio", "interview", "Ghi âm"],
            ["select_multiple services", "services", "Dịch vụ"],
            ["begin repeat", "members", "Thành viên"],
            ["text", "member_name", "Tên"],
            ["end repeat"],
            ["barcode", "code", "Mã vạch"]],
    choices=[["list_name", "name", "label"], ["services", "a", "A"]])
