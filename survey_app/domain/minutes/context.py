"""Plain input of the minutes (biên bản làm việc) and the template context made from it.

`MinutesInput` holds plain values only; `build_context` does every piece of
wording and formatting (Vietnamese numbers and dates through `formatting.py`)
so that templates and the DOCX writer only place ready-made strings.
The body is a list of typed blocks (heading, paragraph, bullets, numbered,
figures, checklist, warnings) shared by the HTML and DOCX renderers.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import re
from typing import Any

import segno

from survey_app.formatting import format_date, format_long_date, format_number, format_time, parse_datetime
from survey_app.clock import VN_TZ
from survey_app.domain.access import DELEGATION_POSITION_LABELS

BLANK = "………………………"


@dataclasses.dataclass(frozen=True)
class MinutesInput:
    """Everything one version of the minutes shows, as plain values."""
    document: dict
    indicator_rows: list = dataclasses.field(default_factory=list)
    computed_rows: list = dataclasses.field(default_factory=list)
    warnings: list = dataclasses.field(default_factory=list)
    checklist_rows: list = dataclasses.field(default_factory=list)
    number: int = 1
    year: int = 2025
    symbol: str = "BB"
    issued_place: str = ""
    issued_date: dt.date | None = None
    wording: dict = dataclasses.field(default_factory=dict)
    signatories: list = dataclasses.field(default_factory=list)
    recipients: list = dataclasses.field(default_factory=list)
    copies: int = 3
    ended_at: str | None = None
    verify_url: str = ""
    version: int = 1
    corrects: int | None = None
    corrects_citation: dict | None = None   # {number, date} of the corrected minutes
    signature_layout: str = "three_party"   # or "mau_1_9" (THƯ KÝ left, CHỦ TỌA right)
    copies_kept: list | None = None         # [{holder, copies}]: who keeps the copies
    basis: dict | None = None               # {document, number, date, issuer}: what the visit carries out


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def content_sha256(inp: MinutesInput) -> str:
    """SHA-256 of the canonical JSON of the input: the version's identity.

    The verify URL and the drawn signature images are left out: the URL is
    derived from the identity, and signing must not change the version.
    """
    data = dataclasses.asdict(inp)
    data.pop("verify_url")
    if data.get("corrects_citation") is None:  # versions frozen before citations keep their hash
        data.pop("corrects_citation", None)
    if data.get("signature_layout") == "three_party":  # versions frozen before the option keep their hash
        data.pop("signature_layout")
    for key in ("copies_kept", "basis"):  # versions frozen before the wording of m025 keep their hash
        if data.get(key) is None:
            data.pop(key, None)
    data["signatories"] = [{k: v for k, v in s.items() if k != "image_png"}
                           for s in data["signatories"]]
    text = json.dumps(_canonical(data), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _paragraphs(inp: MinutesInput, key: str, generated: list[str]) -> list[str]:
    """The generated paragraphs of a section, or the secretary's override."""
    override = (inp.wording or {}).get(key, "")
    if override and override.strip():
        return [p.strip() for p in override.split("\n\n") if p.strip()]
    return generated


def basis_sentence(basis: dict | None) -> str:
    """What the visit carries out: "Thực hiện Quyết định số 25/QĐ-BPC ngày 01/10/2025 của
    Ban Pháp chế HĐND tỉnh Gia Lai;" — a survey plan (Kế hoạch) takes the decision's place
    by giving `document` "Kế hoạch"; no number, no sentence."""
    if not basis or not basis.get("number"):
        return ""
    date = f" ngày {format_date(basis['date'])}" if basis.get("date") else ""
    issuer = f" của {basis['issuer']}" if basis.get("issuer") else ""
    return f"Thực hiện {basis.get('document') or 'Quyết định'} số {basis['number']}{date}{issuer};"


ABBREVIATIONS = {"HĐND": "Hội đồng nhân dân", "UBND": "Ủy ban nhân dân"}


def spell_out(paragraphs: list[str]) -> list[str]:
    """Each abbreviation written out at its first use: "Ủy ban nhân dân (UBND) xã Hra"."""
    done, result = set(), []
    for text in paragraphs:
        for short, full in ABBREVIATIONS.items():
            match = None if short in done else re.search(rf"(?<!\w){short}(?!\w)", text)
            if match:
                done.add(short)
                text = f"{text[:match.start()]}{full} ({short}){text[match.end():]}"
        result.append(text)
    return result


def _opening(inp: MinutesInput) -> list[str]:
    doc = inp.document
    started = parse_datetime(doc.get("started_at"))
    when = f"vào lúc {format_time(started)}, ngày {format_date(_local(started))}" if started else f"vào lúc {BLANK}"
    host, delegation = doc.get("host", {}), doc.get("delegation", {})
    today = (f"Hôm nay, {when}, tại {host.get('place') or host.get('unit', BLANK)}, "
             f"{delegation.get('name', 'Đoàn')} làm việc với {host.get('unit', BLANK)} "
             f"về {_lower_first(delegation.get('topic', ''))}.")
    return spell_out([p for p in (basis_sentence(inp.basis), today) if p])


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is not None:
        return moment.astimezone(VN_TZ)
    return moment


def _person(name: str, title: str, role_label: str = "") -> str:
    parts = [p for p in (name, title, role_label) if p]
    return ", ".join(parts[:2]) + (f" - {parts[2]}" if len(parts) > 2 else "") + ";"


def _attendee_blocks(doc: dict) -> list[dict]:
    """Headings without end punctuation, as every level-2 heading; one person a line, `;`
    between them, a full stop after the last one of each list."""
    members = doc.get("delegation", {}).get("members", [])
    host = doc.get("host", {})
    groups = [(f"1. {doc.get('delegation', {}).get('name', 'Đoàn khảo sát')}",
               [_person(m.get("name", ""), m.get("title", ""), DELEGATION_POSITION_LABELS.get(m.get("role"), ""))
                for m in members] or [BLANK]),
              (f"2. Đại diện {host.get('unit', 'đơn vị')}",
               [_person(a.get("name", ""), a.get("title", "")) for a in host.get("attendees", [])] or [BLANK])]
    if doc.get("guests"):
        groups.append(("3. Khách mời", [_person(g.get("name", ""), g.get("title", "")) for g in doc["guests"]]))
    for _title, items in groups:
        items[-1] = _full_stop(items[-1])
    return [block for title, items in groups for block in (_heading(2, title), _bullets(items))]


def _full_stop(text: str) -> str:
    """The sentence ends with one full stop (after a closing parenthesis, not before it)."""
    return text if text == BLANK else text.rstrip(" ;.") + "."  # a blank line is filled in by hand


def _heading(level: int, text: str) -> dict:
    return {"type": "heading", "level": level, "text": text}


def _bullets(items: list[str]) -> dict:
    return {"type": "bullets", "items": items}


def _figure_rows(inp: MinutesInput) -> list[dict]:
    rows = [dict(r, computed=False) for r in inp.indicator_rows]
    rows += [dict(r, computed=True) for r in inp.computed_rows]
    return [{"index": i, "label": r.get("label") or r.get("key", ""),
             "value": format_number(r.get("value")), "unit": r.get("unit") or "",
             "computed": r["computed"]} for i, r in enumerate(rows, 1)]


def _report_blocks(inp: MinutesInput, n: int) -> list[dict]:
    doc = inp.document
    report = doc.get("report", {})
    period = report.get("period") or {}
    generated = [report.get("summary", "")] if report.get("summary") else []
    if period.get("from") or period.get("to"):
        generated.append(f"Số liệu báo cáo tính từ ngày {format_date(period.get('from'))} "
                         f"đến ngày {format_date(period.get('to'))}, cụ thể như sau:")
    blocks = [_heading(2, f"{n}. Báo cáo của {doc.get('host', {}).get('unit', 'đơn vị')}")]
    blocks += [{"type": "paragraph", "text": p} for p in _paragraphs(inp, "report", generated)]
    figures = _figure_rows(inp)
    if figures:
        blocks.append({"type": "figures", "rows": figures})
    # a figure that breaks a consistency rule: an official request to the unit, not a software warning
    blocks += [{"type": "paragraph", "text": f"Số liệu báo cáo chưa khớp ({_lower_first(w).rstrip(' .')}), "
                                             f"đề nghị đơn vị rà soát, báo cáo bổ sung."} for w in inp.warnings]
    return blocks


def _list_section(inp: MinutesInput, key: str, title: str, items: list[str]) -> list[dict]:
    override = _paragraphs(inp, key, [])
    if override:
        return [_heading(2, title)] + [{"type": "paragraph", "text": p} for p in override]
    return [_heading(2, title), _bullets(items)] if items else []


def _content_blocks(inp: MinutesInput) -> list[dict]:
    doc = inp.document
    unit = doc.get("host", {}).get("unit", "đơn vị")
    sections = [_report_blocks(inp, 0)]
    if inp.checklist_rows:
        sections.append([_heading(2, "0. Kết quả khảo sát theo nội dung"),
                         {"type": "checklist", "rows": [dict(r) for r in inp.checklist_rows]}])
    sections.append(_list_section(inp, "difficulties", "0. Khó khăn, vướng mắc",
                                  [d.get("text", "") for d in doc.get("difficulties", [])]))
    sections.append(_list_section(
        inp, "proposals", f"0. Đề xuất, kiến nghị của {unit}",
        [_full_stop(p.get("text", "").rstrip(" .") + f" (đề xuất với {p['addressee']})") if p.get("addressee")
         else p.get("text", "") for p in doc.get("proposals", [])]))
    sections.append(_list_section(inp, "opinions", "0. Ý kiến của các thành viên Đoàn",
                                  [f"{o.get('member', '')}: {o.get('text', '')}" for o in doc.get("opinions", [])]))
    blocks, n = [], 0
    for section in filter(None, sections):
        n += 1
        head = section[0]
        blocks.append(dict(head, text=f"{n}." + head["text"].split(".", 1)[1]))
        blocks += section[1:]
    return blocks


def delegation_word(doc: dict) -> str:
    """"Đoàn giám sát" or "Đoàn khảo sát", as the delegation's name says."""
    return "Đoàn giám sát" if "giám sát" in doc.get("delegation", {}).get("name", "").lower() else "Đoàn khảo sát"


def _conclusion_lead(doc: dict) -> str:
    """"Thay mặt Đoàn khảo sát, đồng chí Đinh Ly An, Trưởng Ban Pháp chế HĐND tỉnh, Trưởng đoàn
    kết luận như sau:"."""
    conclusion = doc.get("conclusion") or {}
    members = doc.get("delegation", {}).get("members", [])
    who = next((m for m in members if m.get("name") == conclusion.get("by")), None) \
        or next((m for m in members if m.get("role") == "head"), {})
    name = conclusion.get("by") or who.get("name", "")
    parts = [f"đồng chí {name}" if name else "", who.get("title", ""),
             DELEGATION_POSITION_LABELS.get(who.get("role"), "") if who.get("name") == name else ""]
    return f"Thay mặt {delegation_word(doc)}, {', '.join(p for p in parts if p)} kết luận như sau:"


def _host_side(addressee: str, host: dict) -> bool:
    """The visited unit or a body of its locality (đề nghị); any other is a higher body (kiến nghị)."""
    locality = (host.get("locality") or "").strip().lower()
    return not addressee or addressee == host.get("unit") or bool(locality and addressee.lower().endswith(locality))


def _recommendation_blocks(doc: dict) -> list[dict]:
    """The recommendations grouped by addressee: "Đối với UBND xã Hra:" (đề nghị, to the host
    side) first, then "Kiến nghị với UBND tỉnh Gia Lai:" (to higher bodies)."""
    host, groups = doc.get("host", {}), {}
    recommendations = doc.get("recommendations", [])
    # without an addressee: the host unit's (or, the unit unknown, the first named addressee's)
    default = host.get("unit") or next((r["addressee"] for r in recommendations if r.get("addressee")), "")
    for rec in recommendations:
        groups.setdefault(rec.get("addressee") or default, []).append(rec)
    ordered = sorted(groups.items(), key=lambda group: not _host_side(group[0], host))
    sides = {_host_side(addressee, host) for addressee in groups}
    verb = {frozenset({True}): "đề nghị", frozenset({False}): "kiến nghị"}.get(frozenset(sides), "đề nghị, kiến nghị")
    # keep: a lead line never alone at the foot of a page, away from the items it introduces
    blocks = [{"type": "paragraph", "text": f"{delegation_word(doc)} {verb} như sau:", "keep": True}] if groups else []
    for addressee, recs in ordered:
        if addressee:
            title = f"Đối với {addressee}:" if _host_side(addressee, host) else f"Kiến nghị với {addressee}:"
            blocks.append({"type": "paragraph", "text": title, "keep": True})
        blocks.append({"type": "numbered", "items": [_recommendation(rec) for rec in recs]})
    return blocks


def _conclusion_blocks(inp: MinutesInput) -> list[dict]:
    doc = inp.document
    conclusion = doc.get("conclusion") or {}
    generated = [_conclusion_lead(doc), conclusion["text"]] if conclusion.get("text") else []
    blocks = [{"type": "paragraph", "text": p} for p in _paragraphs(inp, "conclusion", generated)]
    recommendations = doc.get("recommendations", [])
    blocks += _recommendation_blocks(doc)
    defaults = [rec for rec in recommendations if rec.get("due_default")]
    if defaults:
        blocks.append({"type": "paragraph", "text": _default_due_note(doc, defaults[0]["due"])})
    return blocks


def _recommendation(rec: dict) -> dict:
    """A numbered item: its text, then its detail in parentheses, then the full stop
    (`end`), never a parenthesis after the sentence's full stop."""
    detail, text = _recommendation_detail(rec), rec.get("text", "")
    return {"text": text.rstrip(" .") if detail else text, "detail": detail, "end": "." if detail else ""}


def _recommendation_detail(rec: dict) -> str:
    """`(đơn vị thực hiện: …; thời hạn: 30/06/2026)`, or `thời hạn mặc định: …` where the
    delegation's default period gave the date."""
    tail = [f"đơn vị thực hiện: {rec['addressee']}"] if rec.get("addressee") else []
    if rec.get("due"):
        label = "thời hạn mặc định" if rec.get("due_default") else "thời hạn"
        tail.append(f"{label}: {format_date(rec['due'])}")
    return f"({'; '.join(tail)})" if tail else ""


def _default_due_note(doc: dict, due: str) -> str:
    started = _local(parse_datetime(doc.get("started_at")))
    days = (dt.date.fromisoformat(due) - started.date()).days if started else 0
    period = f"{days} ngày kể từ ngày làm việc" if days > 0 else "theo quy định của Đoàn"
    return f"Thời hạn mặc định: {period}, áp dụng cho kiến nghị không ghi thời hạn."


def _closing(inp: MinutesInput) -> str:
    doc = inp.document
    started = _local(parse_datetime(doc.get("started_at")))
    ended = _local(parse_datetime(inp.ended_at or doc.get("ended_at")))
    if ended is None:
        when = f"{BLANK} cùng ngày"
    elif started is not None and ended.date() == started.date():
        when = f"{format_time(ended)} cùng ngày"
    else:
        when = f"{format_time(ended)}, ngày {format_date(ended)}"
    kept = inp.copies_kept or [{"holder": delegation_word(doc), "copies": max(inp.copies - 1, 1)},
                               {"holder": doc.get("host", {}).get("unit", "đơn vị"), "copies": 1}]
    copies = sum(row["copies"] for row in kept) if inp.copies_kept else inp.copies
    holders = ", ".join(f"{row['holder']} giữ {row['copies']:02d} bản" for row in kept)
    return (f"Buổi làm việc kết thúc vào lúc {when}. Biên bản đã được đọc lại cho các thành phần tham dự "
            f"cùng nghe, thống nhất thông qua và ký tên. Biên bản được lập thành {copies:02d} bản có giá trị "
            f"như nhau, {holders}./.")


def _body(inp: MinutesInput) -> list[dict]:
    blocks = [{"type": "paragraph", "text": p}
              for p in _paragraphs(inp, "opening", _opening(inp))]
    blocks.append(_heading(1, "I. THÀNH PHẦN THAM DỰ"))
    blocks += _attendee_blocks(inp.document)
    blocks.append(_heading(1, "II. NỘI DUNG LÀM VIỆC"))
    blocks += _content_blocks(inp)
    blocks.append(_heading(1, "III. KẾT LUẬN CỦA TRƯỞNG ĐOÀN"))
    blocks += _conclusion_blocks(inp)
    blocks += [{"type": "paragraph", "text": p}
               for p in _paragraphs(inp, "closing", [_closing(inp)])]
    return blocks


def _amendment(inp: MinutesInput) -> str:
    """The line under the title of a correction: what it corrects, by number and date."""
    if not inp.corrects:
        return ""
    cited = inp.corrects_citation or {}
    which = f"Biên bản số {cited['number']}" if cited.get("number") else ""
    which += f" ngày {format_date(cited['date'])}" if cited.get("date") else ""
    return (f"(Phiên bản {inp.version}, đính chính và thay thế phiên bản {inp.corrects}"
            + (f": {which}" if which else "") + ")")


def _signatory(sig: dict) -> dict:
    image = sig.get("image_png")
    collector = sig.get("collected_by")
    return {"role": sig.get("role", ""),
            "title_lines": [line.upper() for line in sig.get("title_lines", [])],
            "name": sig.get("name", ""),
            "note": f"(Ký trên thiết bị của Thư ký Đoàn {collector})" if collector else "",
            "image": "data:image/png;base64," + base64.b64encode(image).decode("ascii") if image else None}


def _photo(photo: dict) -> dict:
    data, mime = photo.get("data"), None
    if data:
        try:
            raw = base64.b64decode(data, validate=True)
            mime = "image/jpeg" if raw[:3] == b"\xff\xd8\xff" else "image/png" if raw[:8] == b"\x89PNG\r\n\x1a\n" else None
        except ValueError:
            mime = None
    caption, credit = photo.get("caption", ""), photo.get("credit", "")
    # with a credit, the full stop comes after its parenthesis: "… xã Hra (Ảnh: R'Piên)."
    return {"caption": caption.rstrip(" .") if credit else caption, "credit": credit, "end": "." if credit else "",
            "src": f"data:{mime};base64,{data}" if mime else None}


def _qr_data_uri(url: str) -> str | None:
    """The verify URL as a small PNG QR code (data URI), or None without a URL.

    PNG rather than SVG: WeasyPrint re-parses an SVG path on every page.
    """
    if not url:
        return None
    return segno.make(url, error="m", micro=False).png_data_uri(scale=4, border=0)


def annex_title(number: str, issued: dt.date | None) -> list[str]:
    """The photo annex's heading: PHỤ LỤC / HÌNH ẢNH BUỔI LÀM VIỆC / (Kèm theo Biên bản số … ngày …)."""
    day = f" ngày {format_date(issued)}" if issued else ""
    return ["PHỤ LỤC", "HÌNH ẢNH BUỔI LÀM VIỆC", f"(Kèm theo Biên bản số {number}{day})"]


def _pairs(items: list) -> list[list]:
    return [items[i:i + 2] for i in range(0, len(items), 2)]


def _signature_rows(signatories: list[dict], layout: str) -> list[list]:
    """Rows of two signature blocks. Mẫu 1.9: THƯ KÝ left, CHỦ TỌA right (None: an empty
    side), any other signatory below; three-party: host, delegation, then the secretary."""
    if layout != "mau_1_9":
        return _pairs(signatories)
    by_role = {s["role"]: s for s in signatories}
    first = [by_role.get("secretary"), by_role.get("head")]
    others = [s for s in signatories if s["role"] not in ("secretary", "head")]
    return ([first] if any(first) else []) + _pairs(others)


def build_context(inp: MinutesInput) -> dict:
    """The plain template context of the minutes: strings, lists and dicts only."""
    doc = inp.document
    delegation, host = doc.get("delegation", {}), doc.get("host", {})
    digest = content_sha256(inp)
    subject = _paragraphs(inp, "subject", [
        f"Làm việc với {host.get('unit', '')} về {_lower_first(delegation.get('topic', ''))}"])[0]
    signatories = [_signatory(s) for s in inp.signatories]
    return {
        "parent_body": delegation.get("parent_body", "").upper(),
        "issuing_body": delegation.get("body", "").upper(),
        "number_line": f"Số: {inp.number:02d}/{inp.symbol}",
        "place_date": f"{inp.issued_place}, {format_long_date(inp.issued_date)}",
        "title": "BIÊN BẢN",
        "subject": subject,
        "amendment": _amendment(inp),
        "body": _body(inp),
        "signatories": signatories,
        "signature_rows": _signature_rows(signatories, inp.signature_layout),
        "recipients": [f"- {r};" for r in inp.recipients[:-1]] + [f"- {r}." for r in inp.recipients[-1:]],
        "photos": [_photo(p) for p in doc.get("photos", [])],
        "annex_title": annex_title(f"{inp.number:02d}/{inp.symbol}", inp.issued_date),
        "verify_url": inp.verify_url,
        "qr": _qr_data_uri(inp.verify_url),
        "sha256": digest,
        "short_sha": digest[:12],
        "code_line": f"Mã xác thực: {digest[:12]}",
        "version": inp.version,
        "document_title": f"Biên bản số {inp.number:02d}/{inp.symbol} - {subject}",
        "author": delegation.get("name", ""),
        # the DOCX's author property: the issuing body, as it names itself ("Ban Pháp chế HĐND tỉnh Gia Lai")
        "issuing_author": " ".join(p for p in (delegation.get("body", ""), delegation.get("parent_body", "")) if p),
    }
