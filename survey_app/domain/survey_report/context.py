"""The template context of the survey report (Decree 30 form of a *Báo cáo*) made from
its plain input: every piece of wording and formatting is done here, so that the HTML
template and the DOCX writer only place ready-made strings. The body is a list of
typed blocks: heading, paragraph, bullets, units, comparison, chart, answers, points,
recommendations, annex."""
from __future__ import annotations

import base64

import segno

from survey_app.domain.access import DELEGATION_POSITION_LABELS
from survey_app.domain.survey_report import charts
from survey_app.domain.survey_report.inputs import content_sha256, recommendations_text
from survey_app.formatting import format_date, format_long_date, format_number

DASH = "—"
NAMED = 10        # up to this many units are named in a list; more are counted ("và 40 đơn vị khác")
CHART_BARS = 24   # a chart of more units shows the highest and the lowest, half each


def _names(units: list[str]) -> str:
    if len(units) <= NAMED:
        return ", ".join(units)
    return f"{', '.join(units[:NAMED - 2])} và {len(units) - NAMED + 2} đơn vị khác"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _paragraphs(inp: dict, key: str, generated: list[str]) -> list[dict]:
    override = (inp.get("wording") or {}).get(key, "")
    texts = [p.strip() for p in override.split("\n\n") if p.strip()] if override.strip() else generated
    return [{"type": "paragraph", "text": t} for t in texts]


def _h(level: int, text: str) -> dict:
    return {"type": "heading", "level": level, "text": text}


def build_subject(inp: dict) -> str:
    """The subject line under the title (the secretary's wording, else the delegation's topic)."""
    topic = inp["delegation"]["topic"]
    topic = topic[len("Khảo sát "):] if topic.lower().startswith("khảo sát ") else _lower_first(topic)
    generated = f"Kết quả khảo sát {topic}"
    return ((inp.get("wording") or {}).get("subject") or generated).strip()


def _opening(inp: dict) -> str:
    d, units, period = inp["delegation"], inp["units"], inp["period"]
    decision = ""
    if d["decision_no"]:
        decision = f" số {d['decision_no']}" + (f" ngày {format_date(d['decision_date'])}" if d["decision_date"] else "")
    when = f"ngày {format_date(period['from'])}" if period["from"] == period["to"] else \
        f"từ ngày {format_date(period['from'])} đến ngày {format_date(period['to'])}"
    return (f"Thực hiện Quyết định{decision} về việc thành lập {d['name']}, {when}, Đoàn đã khảo sát "
            f"trực tiếp tại {len(units)} đơn vị. {d['body']} {d['parent_body']} báo cáo kết quả khảo sát "
            "như sau:")


def _general(inp: dict) -> list[dict]:
    members = [f"{m['name']}, {m['title']}" + (f" - {DELEGATION_POSITION_LABELS.get(m['role'], '')}"
                                                if DELEGATION_POSITION_LABELS.get(m["role"]) else "") + ";"
               for m in inp["delegation"]["members"]]
    units = [{"index": i, "unit": u["unit"], "date": format_date(u["date"]), "place": u["place"] or u["unit"]}
             for i, u in enumerate(inp["units"], 1)]
    return [_h(1, "I. KHÁI QUÁT VỀ HOẠT ĐỘNG KHẢO SÁT"), *_paragraphs(inp, "opening", [_opening(inp)]),
            _h(2, "1. Thành phần Đoàn khảo sát:"), {"type": "bullets", "items": members},
            _h(2, "2. Đơn vị được khảo sát:"),
            {"type": "units", "rows": units} if len(units) <= NAMED else
            {"type": "paragraph", "text": f"Đoàn đã làm việc tại {len(units)} đơn vị; danh sách đơn vị và ngày "
                                          "làm việc tại Phụ lục kèm theo báo cáo này."}]


def _value(value, decimals=None) -> str:
    return DASH if value is None else format_number(value, decimals)


def _comparison(inp: dict) -> dict:
    columns = [{"label": r["label"], "unit": r["unit"]} for r in inp["indicators"]]
    columns += [{"label": c["label"] + " (*)", "unit": c["unit"]} for c in inp["computed"]]
    rows = []
    for i, unit in enumerate(inp["units"]):
        rows.append({"label": unit["unit"], "total": False,
                     "cells": [_value(r["values"][i]) for r in inp["indicators"]]
                     + [_value(c["values"][i], c["decimals"]) for c in inp["computed"]]})
    rows.append({"label": "Tổng cộng", "total": True,
                 "cells": [_value(r["total"]) for r in inp["indicators"]]
                 + [_value(c["total"], c["decimals"]) for c in inp["computed"]]})
    return {"type": "comparison", "columns": columns, "rows": rows}


def key_indicators(inp: dict) -> list[dict]:
    """The indicators charted: the first reported total and every computed rate."""
    first = [r for r in inp["indicators"] if r["summable"]][:1]
    chosen = [{**r, "decimals": None} for r in first] + list(inp["computed"])
    return [{"title": f"Biểu đồ {n}: {c['label']}" + (f" ({c['unit']})" if c["unit"] else ""), "unit": c["unit"],
             "note": _chart_note(len(inp["units"])),
             "bars": charts.bars(_chart_rows([u["unit"] for u in inp["units"]], c["values"])
                                 + [("Tổng cộng", c["total"])], c["decimals"] or 0)}
            for n, c in enumerate(chosen, 1)]


def _chart_rows(units: list[str], values: list) -> list[tuple]:
    """Every unit, or (many units) the highest and the lowest half a chart each, highest first."""
    rows = list(zip(units, values))
    if len(rows) <= CHART_BARS:
        return rows
    ranked = sorted((r for r in rows if r[1] is not None), key=lambda r: -r[1])
    half = CHART_BARS // 2
    return ranked[:half] + [("…", None)] + ranked[-half:]


def _chart_note(count: int) -> str:
    half = CHART_BARS // 2
    return f"({half} đơn vị cao nhất và {half} đơn vị thấp nhất trong {count} đơn vị)" if count > CHART_BARS else ""


def _findings(inp: dict) -> list[dict]:
    blocks = [_h(1, "II. KẾT QUẢ KHẢO SÁT"), _h(2, "1. Số liệu của các đơn vị"),
              {"type": "paragraph", "text": "Số liệu do các đơn vị báo cáo, đã được Đoàn đối chiếu tại buổi làm "
                                            "việc, tổng hợp như sau:"},
              _comparison(inp),
              {"type": "note", "text": "(*) Chỉ tiêu tính từ số liệu; dòng Tổng cộng tính lại trên số liệu "
                                       "tổng cộng, không lấy bình quân tỷ lệ của các đơn vị. Tỷ lệ do đơn vị "
                                       "báo cáo không cộng dồn (—)."}]
    for chart in key_indicators(inp):
        blocks.append({"type": "chart", "title": chart["title"], "note": chart["note"],
                       "src": charts.svg_data_uri(chart["bars"], chart["unit"]), "bars": chart["bars"],
                       "unit": chart["unit"]})
    n = 2
    if inp["checklist"]:
        blocks += [_h(2, f"{n}. Kết quả khảo sát theo nội dung"),
                   {"type": "answers", "rows": [{"section": r["section"], "label": r["label"], "answers": [
                       f"{a['answer']}: {a['count']}/{len(inp['units'])} đơn vị ({_names(a['units'])})"
                       for a in r["answers"]]} for r in inp["checklist"]]}]
        n += 1
    blocks += _points(inp, "difficulties", f"{n}. Khó khăn, vướng mắc", inp["difficulties"])
    blocks += _points(inp, "proposals", f"{n + 1}. Đề xuất, kiến nghị của các đơn vị", inp["proposals"])
    return blocks


def _points(inp: dict, key: str, title: str, points: list[dict]) -> list[dict]:
    override = _paragraphs(inp, key, [])
    if override:
        return [_h(2, title), *override]
    items = [p["text"].rstrip(".;") + (f" (đề xuất với {p['addressee']})" if p.get("addressee") else "")
             + f" - {_names(p['units'])}." for p in points]
    return [_h(2, title), {"type": "bullets", "items": items or ["Các đơn vị không nêu."]}]


def _assessment(inp: dict) -> list[dict]:
    computed = [c for c in inp["computed"] if c["total"] is not None]
    figures = "; ".join(f"{_lower_first(c['label'])} chung đạt {format_number(c['total'], c['decimals'])}"
                        f"{c['unit'] if c['unit'] == '%' else ' ' + c['unit']}" for c in computed)
    generated = [f"Qua khảo sát tại {len(inp['units'])} đơn vị, Đoàn đánh giá các đơn vị đã triển khai "
                 f"nhiệm vụ nghiêm túc" + (f"; {figures}" if figures else "") + ". Bên cạnh kết quả đạt được, "
                 "các đơn vị còn những khó khăn, vướng mắc nêu tại mục II cần được quan tâm tháo gỡ."]
    return [_h(1, "III. ĐÁNH GIÁ CHUNG"), *_paragraphs(inp, "assessment", generated)]


def _recommendations(inp: dict) -> list[dict]:
    groups: dict[str, list] = {}
    for rec in inp["recommendations"]:
        groups.setdefault(rec["addressee"], []).append(
            {"text": rec["text"].rstrip("."), "detail": f"(thời hạn: {format_date(rec['due'])})"})
    shared: dict[str, tuple[list, list]] = {}  # addressees asked the very same share one heading
    for addressee, items in groups.items():
        shared.setdefault(repr(items), ([], items))[0].append(addressee)
    blocks = [_h(1, "IV. KIẾN NGHỊ")]
    for n, (addressees, items) in enumerate(shared.values(), 1):
        who = addressees[0] if len(addressees) == 1 else f"{_names(addressees)} ({len(addressees)} đơn vị)"
        blocks += [_h(2, f"{n}. Đối với {who}:"), {"type": "numbered", "items": items}]
    return blocks


def _closing(inp: dict) -> list[dict]:
    closing = (f"Trên đây là báo cáo kết quả khảo sát của {inp['delegation']['body']} "
               f"{inp['delegation']['parent_body']}./.")
    return _paragraphs(inp, "closing", [closing])


def _annex(inp: dict) -> dict:
    """All figures of every unit in one table: as the unit reported them and as the
    delegation verified them; while no unit's own report is in the system, the
    verified figures alone (the note says so)."""
    columns = [{"label": r["label"], "unit": r["unit"]} for r in inp["indicators"]]
    reported = any(v is not None for r in inp["indicators"] for v in (r.get("reported") or []))

    def cell(r: dict, i: int) -> str:
        verified = _value(r["values"][i])
        return f"{_value((r.get('reported') or [None] * (i + 1))[i])} / {verified}" if reported else verified
    rows = [{"index": i + 1, "unit": unit["unit"], "date": format_date(unit["date"]),
             "cells": [cell(r, i) for r in inp["indicators"]]} for i, unit in enumerate(inp["units"])]
    note = ("Mỗi ô: số liệu đơn vị báo cáo / số liệu Đoàn xác nhận tại biên bản." if reported else
            "Số liệu Đoàn xác nhận tại biên bản; các đơn vị chưa gửi báo cáo riêng trên hệ thống.")
    return {"columns": columns, "rows": rows, "note": note}


def _recipients(inp: dict) -> list[str]:
    """Nơi nhận: every addressee; the units visited, when many, as one line."""
    visited = {u["unit"] for u in inp["units"]}
    names = inp["recipients"]
    if len(visited) > NAMED:
        names = [n for n in names if n not in visited]
        names.insert(-2, f"Các đơn vị được khảo sát ({len(visited)} đơn vị)")
    return [f"- {r};" for r in names[:-1]] + [f"- {r}." for r in names[-1:]]


def _last_item_apart(body: list[dict]) -> tuple[list[dict], int]:
    """(body, n): the body with its last list's last item a block of its own (numbered
    on from the others), and how many blocks at its end go with the closing sentence
    onto the signature's page: that item and, when the list had only it, its heading.
    So the last page never carries the closing sentence alone above the signatures."""
    if not body or body[-1]["type"] not in ("numbered", "bullets"):
        return body, min(len(body), 1)
    last = body[-1]
    if len(last["items"]) > 1:
        start = last.get("start", 0) + len(last["items"]) - 1
        return body[:-1] + [{**last, "items": last["items"][:-1]},
                            {**last, "items": last["items"][-1:], "start": start}], 1
    return body, 2 if len(body) > 1 and body[-2]["type"] == "heading" else 1


def _qr(url: str) -> str | None:
    return segno.make(url, error="m").png_data_uri(scale=4, border=0) if url else None


def build_context(inp: dict) -> dict:
    """The plain template context: strings, lists and dicts only."""
    d = inp["delegation"]
    digest = content_sha256(inp)
    subject = build_subject(inp)
    number = f"{inp['number']:02d}/{inp['symbol']}" if inp["number"] else f"        /{inp['symbol']}"
    signer = inp["signer"]
    image = signer.get("image_png")
    body, closing = _general(inp) + _findings(inp) + _assessment(inp) + _recommendations(inp), _closing(inp)
    body, kept = _last_item_apart(body)
    return {
        "parent_body": d["parent_body"].upper(), "issuing_body": d["body"].upper(),
        "number_line": f"Số: {number}", "title": inp["title"], "subject": subject,
        "place_date": f"{inp['issued_place']}, {format_long_date(inp['issued_date'])}",
        "body": body + closing, "closing_from": len(body) - kept,
        "signer": {"title_lines": signer["title_lines"], "name": signer["name"],
                   "image": "data:image/png;base64," + base64.b64encode(image).decode("ascii") if image else None},
        "recipients": _recipients(inp),
        "annex": _annex(inp), "verify_url": inp.get("verify_url", ""), "qr": _qr(inp.get("verify_url", "")),
        "sha256": digest, "short_sha": digest[:12], "code_line": f"Mã xác thực: {digest[:12]}",
        "version": inp["version"], "document_title": f"Báo cáo số {number.strip()} - {subject}",
        "annex_source": f"Kèm theo Báo cáo số {number.strip()} ngày {format_date(inp['issued_date'])} của {d['body']}",
        "author": d["name"], "recommendations_text": recommendations_text(inp["recommendations"]),
    }
