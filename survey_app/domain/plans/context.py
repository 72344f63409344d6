"""The plan (Kế hoạch khảo sát) and the report outline (Đề cương báo cáo) as plain
template contexts: every piece of wording and formatting is done here, so the HTML
template and the DOCX writer only place ready-made strings, as for the minutes.

The body is a list of typed blocks: heading (level 1, 2), paragraph, note (italic),
bullets, table ({columns: [{label, width (mm), align}], rows}).
"""
from __future__ import annotations

import datetime as dt

from survey_app.checklists.conditions import describe
from survey_app.checklists.types import ITEM_TYPES
from survey_app.clock import day_vn
from survey_app.domain.access import DELEGATION_POSITION_LABELS
from survey_app.domain.directory.issuing import symbol_of
from survey_app.formatting import format_date, format_long_date, format_time

BLANK = "………………"
KIND_WORDS = {"khao_sat": "khảo sát", "giam_sat": "giám sát"}


def _heading(level: int, text: str) -> dict:
    return {"type": "heading", "level": level, "text": text}


def _paragraphs(text: str) -> list[dict]:
    return [{"type": "paragraph", "text": part.strip()} for part in text.split("\n") if part.strip()]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def plan_symbol(delegation: dict) -> str:
    """`KH-BPC`: the delegation's symbol, or the initials of its body."""
    return "KH-" + (delegation["symbol"] or symbol_of(delegation["body"]).removeprefix("BB").lstrip("-") or "ĐKS")


def number_text(delegation: dict, plan: dict) -> str:
    """`12/KH-BPC`, or a blank number before the plan is first saved."""
    number = f"{plan['number']:02d}" if plan.get("number") else "      "
    return f"{number}/{plan_symbol(delegation)}"


def report_due(started_at: str, days: int) -> str:
    """The date a unit's report is due: `days` before the day of its visit."""
    return (dt.date.fromisoformat(day_vn(started_at)) - dt.timedelta(days=days)).isoformat()


def _heading_lines(delegation: dict, plan: dict) -> dict:
    return {"parent_body": (delegation["parent_body"] or "").upper(), "issuing_body": delegation["body"].upper(),
            "number_line": f"Số: {number_text(delegation, plan)}",
            "place_date": ", ".join(filter(None, [plan["issued_place"], format_long_date(plan["issued_date"])]))}


def _kind(delegation: dict) -> str:
    return KIND_WORDS.get(delegation.get("kind"), "khảo sát")


# ----------------------------------------------------------------- the plan

def _opening(delegation: dict) -> str:
    who = f"Đoàn {_kind(delegation)}"
    if delegation["decision_no"]:
        date = f" ngày {format_date(delegation['decision_date'])}" if delegation["decision_date"] else ""
        return (f"Thực hiện Quyết định số {delegation['decision_no']}{date} của {delegation['body']} về việc "
                f"thành lập {delegation['name']}, {who} xây dựng Kế hoạch {_kind(delegation)} như sau:")
    return f"{delegation['name']} xây dựng Kế hoạch {_kind(delegation)} như sau:"


def _purpose(delegation: dict, plan: dict) -> list[dict]:
    topic = _lower_first(delegation["topic"]) or "nội dung được giao"
    purpose = plan["purpose"] or (
        f"Nắm bắt tình hình, kết quả thực hiện {topic}; những khó khăn, vướng mắc và đề xuất, kiến nghị của "
        "các đơn vị; trên cơ sở đó kiến nghị cơ quan có thẩm quyền các giải pháp phù hợp.")
    requirements = plan["requirements"] or (
        "Các đơn vị được khảo sát chuẩn bị báo cáo đầy đủ theo Đề cương gửi kèm Kế hoạch này và bố trí thành "
        "phần làm việc với Đoàn đúng thời gian; Đoàn làm việc đúng nội dung, thời gian, không gây phiền hà cho "
        "đơn vị.")
    return [_heading(2, "1. Mục đích"), *_paragraphs(purpose), _heading(2, "2. Yêu cầu"), *_paragraphs(requirements)]


def _members(members: list[dict]) -> list[dict]:
    lines = []
    for member in members:
        person = ", ".join(filter(None, [member["name"], member["title"]]))
        lines.append(f"{person} - {DELEGATION_POSITION_LABELS.get(member['role'], '')};")
    if lines:
        lines[-1] = lines[-1][:-1] + "."
    return [{"type": "bullets", "items": lines or [BLANK]}]


def schedule_table(rows: list[dict], days: int) -> dict:
    return {"type": "table", "columns": [
        {"label": "STT", "width": 12, "align": "center"}, {"label": "Thời gian", "width": 36, "align": "center"},
        {"label": "Đơn vị được khảo sát", "width": 45, "align": "left"},
        {"label": "Địa điểm", "width": 42, "align": "left"},
        {"label": "Hạn gửi báo cáo", "width": 30, "align": "center"}],
        "rows": [[str(index), f"{format_time(row['started_at'])}, ngày {format_date(day_vn(row['started_at']))}",
                  row["unit_name"], row["place"] or row["unit_name"],
                  format_date(report_due(row["started_at"], days))] for index, row in enumerate(rows, 1)]}


def _time_and_place(delegation: dict, plan: dict, rows: list[dict], period: str) -> list[dict]:
    blocks = [{"type": "paragraph", "text": f"Thời gian {_kind(delegation)}: {period}."}] if period else []
    if not rows:
        return blocks + [{"type": "paragraph", "text": "Lịch làm việc cụ thể được thông báo sau."}]
    return blocks + [{"type": "paragraph", "text": "Lịch làm việc cụ thể với từng đơn vị:"},
                     schedule_table(rows, plan["report_days"])]


def _organisation(delegation: dict, plan: dict, members: list[dict]) -> list[dict]:
    days = plan["report_days"]
    when = f"chậm nhất {days} ngày trước ngày làm việc với Đoàn" if days else "trước ngày làm việc với Đoàn"
    secretary = next((m["name"] for m in members if m["role"] == "secretary"), "")
    return [
        {"type": "paragraph", "text": f"1. Các đơn vị được {_kind(delegation)} xây dựng báo cáo theo Đề cương gửi "
                                      f"kèm Kế hoạch này, gửi về {delegation['body']} {when} (hạn của từng đơn "
                                      "vị tại mục IV); bố trí lãnh đạo đơn vị và bộ phận liên quan làm việc với Đoàn."},
        {"type": "paragraph", "text": "2. Thư ký Đoàn" + (f" ({secretary})" if secretary else "") +
                                      " liên hệ các đơn vị, chuẩn bị tài liệu, tổng hợp báo cáo của các đơn vị."},
        {"type": "paragraph", "text": "3. Các thành viên Đoàn nghiên cứu báo cáo của các đơn vị, tham gia đầy đủ "
                                      "các buổi làm việc."},
        {"type": "paragraph", "text": f"Trên đây là Kế hoạch {_kind(delegation)} của {delegation['name']}, đề nghị "
                                      "các đơn vị phối hợp thực hiện./."}]


def plan_context(delegation: dict, members: list[dict], plan: dict, rows: list[dict], forms: list,
                 period: str) -> dict:
    """The context of the plan document (`templates/plans/ke_hoach.html`)."""
    kind = _kind(delegation)
    topic = delegation["topic"].strip()
    subject = topic[:1].upper() + topic[1:] if topic.casefold().startswith(kind) else \
        f"{kind.capitalize()} {_lower_first(topic)}".strip()
    contents = [*_paragraphs(delegation["topic"] or BLANK)]
    if forms:
        titles = "; ".join(form.title for form in forms)
        contents.append({"type": "paragraph", "text": f"Nội dung cụ thể theo Đề cương báo cáo gửi kèm Kế hoạch "
                                                      f"này ({titles})."})
    body = [{"type": "paragraph", "text": _opening(delegation)},
            _heading(1, "I. MỤC ĐÍCH, YÊU CẦU"), *_purpose(delegation, plan),
            _heading(1, "II. NỘI DUNG"), *contents,
            _heading(1, "III. THÀNH PHẦN ĐOÀN"), *_members(members),
            _heading(1, "IV. THỜI GIAN, ĐỊA ĐIỂM"), *_time_and_place(delegation, plan, rows, period),
            _heading(1, "V. TỔ CHỨC THỰC HIỆN"), *_organisation(delegation, plan, members)]
    head = next((m for m in members if m["role"] == "head"), {"name": ""})
    recipients = ([f"Thường trực {delegation['parent_body']} (b/c)"] if delegation["parent_body"] else []) + \
        sorted({row["unit_name"] for row in rows}) + ["Các thành viên Đoàn", "Lưu: VT"]
    return {**_heading_lines(delegation, plan), "title": "KẾ HOẠCH", "subject": subject, "body": body,
            "signer": {"title_lines": [f"TM. ĐOÀN {kind.upper()}", "TRƯỞNG ĐOÀN"], "name": head["name"]},
            "recipients": [f"- {r};" for r in recipients[:-1]] + [f"- {r}." for r in recipients[-1:]],
            "document_title": f"Kế hoạch số {number_text(delegation, plan).strip()} - {subject}",
            "author": delegation["body"]}


# ----------------------------------------------------------------- the report outline

def answer_hint(item) -> str:
    """How an item is answered, in words: the yes / partly / no labels of the item type, joined, `(ghi số, đơn vị tính: quầy)`."""
    if item.type == "yes_partly_no":
        return "(" + " / ".join(label for _, label in ITEM_TYPES[item.type].options(item)) + ")"
    if item.type == "choice":
        return "(chọn một: " + "; ".join(label for _, label in ITEM_TYPES[item.type].options(item)) + ")"
    if item.type == "number":
        return f"(ghi số{', đơn vị tính: ' + item.unit if item.unit else ''})"
    return {"date": "(ghi ngày, tháng, năm)", "photo": "(gửi kèm ảnh)"}.get(item.type, "")


def _questions(form) -> list[dict]:
    blocks = []
    for number, section in enumerate(form.sections, 1):
        blocks.append(_heading(2, f"{number}. {section.title}"))
        if section.relevant:
            blocks.append({"type": "note", "text": describe(section.relevant, form)})
        for index, item in enumerate(section.items, 1):
            text = " ".join(filter(None, [f"{number}.{index}. {item.label}", answer_hint(item)]))
            blocks.append({"type": "paragraph", "text": text})
            notes = [item.help, describe(item.relevant, form) if item.relevant else ""]
            blocks += [{"type": "note", "text": note} for note in notes if note]
    return blocks


def _figures(form, plan: dict) -> list[dict]:
    start, end = plan["figures_from"], plan["figures_to"]
    period = f"từ ngày {format_date(start) if start else BLANK} đến ngày {format_date(end) if end else BLANK}"
    blocks = [{"type": "paragraph", "text": f"Số liệu tính {period}; đơn vị điền cột Số liệu:"},
              {"type": "table", "columns": [
                  {"label": "STT", "width": 12, "align": "center"}, {"label": "Chỉ tiêu", "width": 95, "align": "left"},
                  {"label": "Đơn vị tính", "width": 28, "align": "center"},
                  {"label": "Số liệu", "width": 30, "align": "right"}],
               "rows": [[str(i), ind.label, ind.unit, ""] for i, ind in enumerate(form.indicators, 1)]}]
    if form.computed:
        names = "; ".join(f"{c.label} ({c.unit})" if c.unit else c.label for c in form.computed)
        blocks.append({"type": "note", "text": f"Đoàn tự tính từ số liệu trên: {names}."})
    return blocks


def outline_context(delegation: dict, plan: dict, form, due: str | None = None, unit: str = "") -> dict:
    """The context of the report outline of one form (`templates/plans/de_cuong.html`);
    `due` and `unit`: the date and unit of one host's visit."""
    days = plan["report_days"]
    issued = f" ngày {format_date(plan['issued_date'])}" if plan.get("number") else ""
    deadline = (f"chậm nhất ngày {format_date(due)}" if due else
                f"chậm nhất {days} ngày trước ngày làm việc với Đoàn" if days else "trước ngày làm việc với Đoàn")
    body = [{"type": "paragraph", "text": f"Đơn vị báo cáo: {unit or BLANK}"},
            {"type": "paragraph", "text": f"Báo cáo gửi về {delegation['body']} {deadline}; những nội dung có ghi "
                                          "điều kiện chỉ trả lời khi điều kiện đó đúng với đơn vị."}]
    body += [_heading(1, "I. KẾT QUẢ THỰC HIỆN"), *_questions(form)]
    if form.indicators:
        body += [_heading(1, "II. SỐ LIỆU"), *_figures(form, plan)]
    n = 3 if form.indicators else 2
    roman = {2: "II", 3: "III", 4: "IV", 5: "V"}
    body += [_heading(1, f"{roman[n]}. KHÓ KHĂN, VƯỚNG MẮC"),
             {"type": "paragraph", "text": "Nêu các khó khăn, vướng mắc và nguyên nhân."},
             _heading(1, f"{roman[n + 1]}. ĐỀ XUẤT, KIẾN NGHỊ"),
             {"type": "paragraph", "text": "Nêu đề xuất, kiến nghị và cơ quan có thẩm quyền giải quyết."}]
    return {"parent_body": (delegation["parent_body"] or "").upper(), "issuing_body": delegation["body"].upper(),
            "title": "ĐỀ CƯƠNG BÁO CÁO", "subject": form.title,
            "attached": f"(Kèm theo Kế hoạch số {number_text(delegation, plan).strip()}{issued} "
                        f"của {delegation['body']})",
            "body": body, "document_title": f"Đề cương báo cáo - {form.title}", "author": delegation["body"]}
