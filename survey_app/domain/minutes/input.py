"""The plain `MinutesInput` of one minutes version, made from a recorded visit.

The record is the source of every structured part (figures, checklist answers,
recommendations); the secretary's wording overrides replace only the generated
prose of a section. At finalize the input is frozen as JSON (`freeze`/`thaw`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata

from survey_app.checklists.types import ITEM_TYPES, show_answer
from survey_app.formatting import parse_datetime
from survey_app.clock import VN_TZ
from survey_app.markers import N_
from survey_app.domain.access import SIGNATORY_ROLES
from survey_app.domain.followup.operations import default_due
from survey_app.domain.directory import minutes_settings
from survey_app.domain.directory.issuing import PROVINCE, issuing_place, symbol_of
from survey_app.domain.plans.context import number_text
from survey_app.domain.minutes.context import MinutesInput, build_context, content_sha256, delegation_word
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import plans as plans_sql
from survey_app.storage import visits as visits_sql
from survey_app.domain.visits import document as visit_io
from survey_app.domain.images import printed_photo

DEFAULT_ROLES = list(SIGNATORY_ROLES)
# Sections whose generated prose the secretary may reword: key → label.
SECTIONS = {
    "subject": N_("Trích yếu (dòng dưới tiêu đề)"), "opening": N_("Đoạn mở đầu"),
    "report": N_("Báo cáo của đơn vị"), "difficulties": N_("Khó khăn, vướng mắc"),
    "proposals": N_("Đề xuất, kiến nghị của đơn vị"), "opinions": N_("Ý kiến của các thành viên Đoàn"),
    "conclusion": N_("Kết luận của Trưởng đoàn"), "closing": N_("Đoạn kết thúc"),
}
LOCALITY_PREFIXES = ("thị trấn ", "phường ", "đặc khu ", "xã ")


def issued_place(locality: str, fallback: str = "") -> str:
    """`xã Hra` → `Hra`: the place name of the date line."""
    place = (locality or "").strip()
    for prefix in LOCALITY_PREFIXES:
        if place.lower().startswith(prefix):
            place = place[len(prefix):].strip()
            break
    place = place or fallback
    return place[:1].upper() + place[1:]


def basis_of(delegation: dict, plan: dict | None = None) -> dict | None:
    """What the visit carries out, cited in the opening: the delegation's survey plan
    (Kế hoạch số 03/KH-BPC) once it has a number, else its deciding document (Quyết định)."""
    issuer = " ".join(p for p in (delegation.get("body", ""), delegation.get("parent_body", "")) if p)
    if plan and plan.get("number"):
        return {"document": "Kế hoạch", "number": number_text(delegation, plan),
                "date": plan.get("issued_date") or "", "issuer": issuer}
    if not (delegation.get("decision_no") or "").strip():
        return None
    return {"document": "Quyết định", "number": delegation["decision_no"].strip(),
            "date": delegation.get("decision_date") or "", "issuer": issuer}


def _with_host(text: str, unit: str) -> str:
    return text.replace(minutes_settings.HOST, unit)


def copies_kept(delegation: dict, unit: str, word: str) -> list[dict]:
    """Who keeps the copies: the delegation's choice, or the Đoàn 02 and the host unit 01."""
    chosen = minutes_settings.public(delegation).get("minutes_copies")
    rows = chosen or [{"holder": word, "copies": 2}, {"holder": minutes_settings.HOST, "copies": 1}]
    return [{"holder": _with_host(row["holder"], unit), "copies": row["copies"]} for row in rows]


def recipients(delegation: dict, unit: str, word: str) -> list[str]:
    """Nơi nhận as offices write it, or the delegation's own lines."""
    chosen = minutes_settings.public(delegation).get("minutes_recipients")
    parent = (delegation.get("parent_body") or "HĐND tỉnh").strip()
    council = PROVINCE.sub(lambda m: m.group(0).split()[0], parent) if PROVINCE.search(parent) else parent
    short = delegation.get("symbol") or symbol_of(delegation.get("body", "")).removeprefix("BB-").removeprefix("BB")
    lines = chosen or [f"Thường trực {council} (để báo cáo)", minutes_settings.HOST, f"Thành viên {word}",
                       f"Lưu: VT, {short}" if short else "Lưu: VT"]
    return [_with_host(line, unit) for line in lines]


def visit_date(doc: dict) -> dt.date:
    moment = parse_datetime(doc.get("started_at"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(VN_TZ)
    return moment.date()


def _form_rows(form, doc: dict) -> dict:
    indicators = doc.get("report", {}).get("indicators", {})
    rows = [{"key": i.key, "label": i.label, "value": indicators[i.key], "unit": i.unit}
            for i in form.indicators if indicators.get(i.key) is not None]
    evaluation = form.evaluate(indicators)
    computed = [{"key": c.key, "label": c.label, "value": evaluation.computed[c.key], "unit": c.unit}
                for c in form.computed if evaluation.computed.get(c.key) is not None]
    return {"indicator_rows": rows, "computed_rows": computed,
            "warnings": [w.message for w in evaluation.warnings],
            "checklist_rows": _checklist_rows(form, doc.get("checklist", {}))}


def _checklist_rows(form, checklist: dict) -> list[dict]:
    rows = []
    asked = form.relevant_items(checklist)  # an item skipped by its skip logic is not printed
    for section in form.sections:
        for item in section.items:
            answer = checklist.get(item.key) or {}
            # a photo answer is printed with the photos, not as a row
            if ITEM_TYPES[item.type].shown_as == "image" or answer.get("value") in (None, "") \
                    or not asked[item.key]:
                continue
            rows.append({"section": section.title, "label": item.label,
                         "answer": show_answer(item, answer["value"]), "note": answer.get("note") or ""})
    return rows


def _signatories(doc: dict, roles: list[str], signed: dict, layout: str = "three_party") -> list[dict]:
    members = doc["delegation"].get("members", [])
    named = {m["role"]: m["name"] for m in reversed(members)}
    kind = "GIÁM SÁT" if "giám sát" in doc["delegation"].get("name", "").lower() else "KHẢO SÁT"
    host = doc["host"]
    attendees = host.get("attendees") or []
    titles = {"head": [f"TM. ĐOÀN {kind}", "TRƯỞNG ĐOÀN"], "secretary": ["THƯ KÝ"],
              "host": [f"ĐẠI DIỆN {host['unit'].upper()}"]}
    names = {"head": named.get("head", ""), "secretary": named.get("secretary", ""),
             "host": attendees[0]["name"] if attendees else ""}
    if layout == "mau_1_9":  # Decree 30, Mẫu 1.9: THƯ KÝ left, CHỦ TỌA right
        titles["head"] = ["CHỦ TỌA"]
    sequence = ("secretary", "head", "host") if layout == "mau_1_9" else ("host", "head", "secretary")
    order = [r for r in sequence if r in roles]
    return [{"role": r, "title_lines": titles[r], "name": (signed.get(r) or {}).get("name") or names[r],
             "image_png": (signed.get(r) or {}).get("image_png"),
             **({"collected_by": signed[r]["collected_by"]} if (signed.get(r) or {}).get("collected_by") else {})}
            for r in order]


def input_from_visit(store, forms, visit: dict, minutes: dict, *, photos_dir, base_url: str,
                     number: int | None = None, corrects_version: int | None = None,
                     corrects_citation: dict | None = None) -> MinutesInput:
    """The minutes input of a visit as recorded now, with the version's wording."""
    form = store.read(forms.for_visit, visit)
    delegation = store.read(delegations_sql.get_delegation, visit["delegation_id"])
    doc = with_default_dues(visit_io.export_document(store, visit["id"], photos_dir,
                                                     photo_bytes=printed_photo, annotated=True),
                            default_due(visit["started_at"], delegation["follow_up_days"]))
    doc = with_attendees_on_site(doc, [i["data"] for i in store.read(visits_sql.items_of, visit["id"], "attendee")])
    day = visit_date(doc)
    layout = delegation["signature_layout"] or "three_party"
    unit, word = doc["host"]["unit"], delegation_word(doc)
    kept = copies_kept(delegation, unit, word)
    inp = MinutesInput(
        document=doc, **_form_rows(form, doc), number=number or 0, year=day.year,
        symbol=symbol_of(delegation["body"]),
        issued_place=issuing_place(delegation.get("parent_body", ""), delegation["body"],
                                   delegation.get("minutes_place"),
                                   issued_place(doc["host"].get("locality"), doc["host"]["unit"])),
        issued_date=day, wording=dict(minutes.get("wording") or {}),
        signatories=_signatories(doc, minutes.get("required_roles") or DEFAULT_ROLES, {}, layout),
        signature_layout=layout,
        recipients=recipients(delegation, unit, word), copies=sum(row["copies"] for row in kept),
        copies_kept=kept, basis=basis_of(delegation, store.read(plans_sql.get_plan, visit["delegation_id"])),
        ended_at=doc.get("ended_at"), version=minutes["version"], corrects=corrects_version,
        corrects_citation=corrects_citation)
    return with_verify_url(inp, base_url)


def _same_person(a: str, b: str) -> bool:
    fold = lambda name: " ".join(unicodedata.normalize("NFC", name or "").casefold().split())  # noqa: E731
    return bool(fold(a)) and fold(a) == fold(b)


def with_attendees_on_site(doc: dict, attendees: list[dict]) -> dict:
    """The document with who attended as recorded on site: a delegation-side attendee
    who is on the roster keeps the title typed on site, one who is not is added as a
    member; guests (Khách mời) are listed under `guests` (the host's side is already
    in `host.attendees`)."""
    members = [dict(m) for m in doc["delegation"].get("members", [])]
    for person in (a for a in attendees if a.get("side") == "delegation" and (a.get("name") or "").strip()):
        known = next((m for m in members if _same_person(m.get("name", ""), person["name"])), None)
        if known is None:
            members.append({"name": person["name"].strip(), "title": (person.get("title") or "").strip(),
                            "role": "member"})
        elif (person.get("title") or "").strip():
            known["title"] = person["title"].strip()
    guests = [{"name": g["name"].strip(), "title": (g.get("title") or "").strip()}
              for g in attendees if g.get("side") == "guest" and (g.get("name") or "").strip()]
    return {**doc, "delegation": {**doc["delegation"], "members": members},
            **({"guests": guests} if guests else {})}


def with_default_dues(doc: dict, due: str) -> dict:
    """The document with the default due date written into each recommendation made
    without one, marked `due_default` so that the minutes say so: the unit signs the
    dates it will be held to (the tracking rows use the same rule)."""
    recommendations = [rec if rec.get("due") else {**rec, "due": due, "due_default": True}
                       for rec in doc.get("recommendations", [])]
    return {**doc, "recommendations": recommendations}


def with_verify_url(inp: MinutesInput, base_url: str) -> MinutesInput:
    code = content_sha256(inp)[:12]
    return dataclasses.replace(inp, verify_url=f"{base_url.rstrip('/')}/verify?code={code}")


def draft_verify_url(base_url: str) -> str:
    """Where a draft's QR code leads: the verification page's notice that a draft has no legal value."""
    return f"{base_url.rstrip('/')}/verify?draft=1"


def with_signatures(inp: MinutesInput, signed: dict, roles: list[str], base_url: str) -> MinutesInput:
    """The frozen input with the drawn signatures (role → {name, image_png}) placed."""
    signatories = _signatories(inp.document, roles, signed, inp.signature_layout)
    return with_verify_url(dataclasses.replace(inp, signatories=signatories), base_url)


def freeze(inp: MinutesInput) -> dict:
    data = dataclasses.asdict(inp)
    data["issued_date"] = inp.issued_date.isoformat() if inp.issued_date else None
    data["signatories"] = [{**s, "image_png": None} for s in data["signatories"]]
    return data


def thaw(data: dict) -> MinutesInput:
    values = dict(data)
    if values.get("issued_date"):
        values["issued_date"] = dt.date.fromisoformat(values["issued_date"])
    return MinutesInput(**values)


def generated_sections(inp: MinutesInput) -> dict[str, str]:
    """The generated text of each rewordable section (what an empty override gives)."""
    plain = dataclasses.replace(inp, wording={}, verify_url="")
    base = build_context(plain)
    texts = {"subject": base["subject"]}
    before = [_block_text(b) for b in base["body"]]
    for key in SECTIONS:
        if key == "subject":
            continue
        probe = build_context(dataclasses.replace(plain, wording={key: "\x00"}))["body"]
        after = [_block_text(b) for b in probe]
        texts[key] = "\n\n".join(_removed(before, after))
    return texts


def _block_text(block: dict) -> list[str]:
    if block["type"] == "paragraph":
        return [block["text"]]
    if block["type"] == "bullets":
        return list(block["items"])
    return []


def _removed(before: list[list[str]], after: list[list[str]]) -> list[str]:
    """Texts of the blocks a probe override replaced (a common prefix and suffix kept)."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return [text for block in before[start:len(before) - end] for text in block]
