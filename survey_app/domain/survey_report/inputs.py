"""The plain input of one version of the survey report: the material read from the
visits, the secretary's wording, the number, date and signer. It is a JSON-ready
dict, frozen as it is at finalize; its content hash is the version's identity."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata

from survey_app.formatting import format_date
from survey_app.markers import N_
from survey_app.domain.errors import DomainError

# Sections whose generated text the secretary may reword: key → label.
SECTIONS = {
    "subject": N_("Trích yếu (dòng dưới tiêu đề)"), "opening": N_("Đoạn mở đầu"),
    "difficulties": N_("Khó khăn, vướng mắc"), "proposals": N_("Đề xuất, kiến nghị của các đơn vị"),
    "assessment": N_("Đánh giá chung của Đoàn"),
    "recommendations": N_("Kiến nghị (mỗi dòng: Nơi thực hiện: nội dung (thời hạn: 30/06/2026))"),
    "closing": N_("Đoạn kết thúc"),
}
MAX_WORDING = 20000
BAD_LINE = N_("Kiến nghị dòng %(line)s: vui lòng ghi theo mẫu 'Nơi thực hiện: nội dung', "
              "có thể thêm '(thời hạn: 30/06/2026)' ở cuối.")
BAD_DUE = N_("Kiến nghị dòng %(line)s: thời hạn phải là ngày dạng 30/06/2026.")
DUE_WORD = N_("thời hạn")  # the tail's word; the English page writes "due", both are read
DUE_TAIL = re.compile(r"\s*\((?:thời hạn|due):\s*([0-9/.-]+)\)\s*\.?\s*$", re.IGNORECASE)
PROVINCE_PREFIXES = ("hđnd tỉnh ", "hđnd thành phố ", "hội đồng nhân dân tỉnh ", "ubnd tỉnh ")


def symbol_of(delegation: dict) -> str:
    """`BC-BPC`: the delegation's symbol, else the initials of the issuing body."""
    own = (delegation.get("symbol") or "").strip()
    if not own:
        words = [w for w in delegation["body"].replace("-", " ").split() if w[:1].isalpha()]
        own = "".join(unicodedata.normalize("NFD", w[0])[0].upper() for w in words)
    return f"BC-{own}" if own else "BC"


def place_of(parent_body: str) -> str:
    """`HĐND tỉnh Gia Lai` → `Gia Lai`: the place of the date line."""
    text = (parent_body or "").strip()
    for prefix in PROVINCE_PREFIXES:
        if text.lower().startswith(prefix):
            return text[len(prefix):].strip()
    return text


def signer_of(delegation: dict) -> dict:
    """The head of delegation signs for the issuing body: `TM. BAN PHÁP CHẾ / TRƯỞNG BAN`."""
    head = next((m for m in delegation["members"] if m["role"] == "head"), {})
    body = delegation["body"]
    return {"role": "signer", "title_lines": [f"TM. {body.upper()}", f"TRƯỞNG {body.split()[0].upper()}"],
            "name": head.get("name", ""), "image_png": None}


def clean_wording(wording) -> dict:
    """The secretary's texts by section; refused with the section named when wrong."""
    if not isinstance(wording, dict):
        raise DomainError(N_("Vui lòng gửi các phần của báo cáo dưới dạng {phần: văn bản}."), "wording")
    clean = {}
    for key, text in wording.items():
        if key not in SECTIONS:
            raise DomainError(N_("Không có phần '%(key)s' trong báo cáo"), key, key=key)
        if not isinstance(text, str) or len(text) > MAX_WORDING:
            raise DomainError(N_("Phần '%(key)s' phải là văn bản dưới %(max_wording)s ký tự"), key,
                              key=key, max_wording=MAX_WORDING)
        if text.strip():
            clean[key] = text.replace("\r\n", "\n").strip()
    if "recommendations" in clean:
        parse_recommendations(clean["recommendations"], dt.date(2000, 1, 1))
    return clean


def parse_recommendations(text: str, default_due: dt.date) -> list[dict]:
    """`UBND tỉnh Gia Lai: nội dung (thời hạn: 30/06/2026)` per line → recommendations."""
    found = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip().lstrip("-•").strip()
        if not line:
            continue
        addressee, sep, rest = line.partition(":")
        if not sep or not addressee.strip() or not rest.strip() or len(addressee) > 200:
            raise DomainError(BAD_LINE, "recommendations", line=number)
        due, tail = default_due, DUE_TAIL.search(rest)
        if tail:
            due = _vn_date(tail.group(1))
            if due is None:
                raise DomainError(BAD_DUE, "recommendations", line=number)
            rest = rest[:tail.start()]
        found.append({"addressee": addressee.strip(), "text": rest.strip().rstrip(";").strip(),
                      "due": due.isoformat()})
    return found


def _vn_date(text: str) -> dt.date | None:
    """`30/06/2026` (or with `.` or `-`) → a date; None when it is no date."""
    try:
        return dt.datetime.strptime(re.sub(r"[.-]", "/", text.strip()), "%d/%m/%Y").date()
    except ValueError:
        return None


def recommendations_text(items: list[dict], due_word: str = DUE_WORD) -> str:
    return "\n".join(f"{r['addressee']}: {r['text']} ({due_word}: {format_date(r['due'])})" for r in items)


def default_recommendations(material: dict, due: dt.date) -> list[dict]:
    """Proposals the units addressed to bodies not visited become the report's
    recommendations to those bodies; each unit visited is asked to act on what was found."""
    visited = {u["unit"].casefold() for u in material["units"]}
    items = [{"addressee": p["addressee"], "text": p["text"], "due": due.isoformat()}
             for p in material["proposals"] if p["addressee"] and p["addressee"].casefold() not in visited]
    for unit in dict.fromkeys(u["unit"] for u in material["units"]):
        items.append({"addressee": unit, "due": due.isoformat(), "text": (
            "Tập trung khắc phục các khó khăn, hạn chế Đoàn khảo sát đã chỉ ra; báo cáo kết quả thực hiện "
            f"về {material['delegation']['body']} {material['delegation']['parent_body']}")})
    return items


def build_input(material: dict, wording: dict, *, number: int, issued: dt.date, version: int,
                base_url: str) -> dict:
    """The report input of a version (no verify URL yet: see `with_verify_url`)."""
    delegation = material["delegation"]
    due = issued + dt.timedelta(days=delegation["follow_up_days"])
    recommendations = parse_recommendations(wording["recommendations"], due) if wording.get("recommendations") \
        else default_recommendations(material, due)
    addressees = list(dict.fromkeys(r["addressee"] for r in recommendations))
    inp = {**material, "wording": dict(wording), "number": number, "year": issued.year,
           "symbol": symbol_of(delegation), "issued_place": place_of(delegation["parent_body"]),
           "issued_date": issued.isoformat(), "version": version, "title": "BÁO CÁO",
           "recommendations": recommendations, "signer": signer_of(delegation),
           "recipients": [f"Thường trực {delegation['parent_body']}", *addressees, "Các thành viên Đoàn",
                          f"Lưu: VT, {symbol_of(delegation).split('-', 1)[-1]}"]}
    return with_verify_url(inp, base_url)


def content_sha256(inp: dict) -> str:
    """SHA-256 of the canonical JSON of the input, without the verify URL (derived
    from it) and the drawn signature (signing must not change the version)."""
    data = {k: v for k, v in inp.items() if k != "verify_url"}
    data["signer"] = {k: v for k, v in inp["signer"].items() if k != "image_png"}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_verify_url(inp: dict, base_url: str) -> dict:
    code = content_sha256(inp)[:12]
    return {**inp, "verify_url": f"{base_url.rstrip('/')}/verify?code={code}"}


def freeze(inp: dict) -> dict:
    return {**inp, "signer": {**inp["signer"], "image_png": None}}
