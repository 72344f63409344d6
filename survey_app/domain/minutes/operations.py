"""Operations on the minutes (biên bản làm việc) of a visit: draft, reword, finalize,
sign, correct. Each change is one `store.write` transaction.

Life of a version: `draft` (rendered from the live record on demand) → `final`
(record and wording frozen as JSON with their content hash, number allocated per
body and year, PDF stored) → `signed` (every required signatory has drawn a
signature; the PDF with the signatures is sealed with the organisation's
certificate and stored). A correction is a new version that refers to the
signed one it corrects.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import io
import json
from pathlib import Path
from typing import Callable

from PIL import Image

from survey_app.checklists.spec import own_text
from survey_app.markers import N_, NP_
from survey_app.documents import render_html
from survey_app.documents.render import render_pdf_placed
from survey_app.domain import audit
from survey_app.domain.minutes.context import build_context, content_sha256
from survey_app.storage import minutes as sql
from survey_app.storage import delegations as delegations_sql
from survey_app.storage import visits as visits_sql
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.domain.minutes.sealing import seal_document
from survey_app.clock import now_utc
from survey_app.domain.errors import Conflict, DomainError, Forbidden, NotFound, labels
from survey_app.domain import files
from survey_app.domain.files import file_path
from survey_app.domain.access import (
    ON_BEHALF, SIGN_REFUSED, SIGNATORY_LABELS, SIGNATORY_ROLES, can_prepare_minutes, signing_capacity,
)
from survey_app.domain.minutes.input import (
    DEFAULT_ROLES,
    SECTIONS,
    freeze,
    input_from_visit,
    thaw,
    with_signatures,
)
from survey_app.domain.minutes.verification import VerifySettings
from survey_app.domain.visits.operations import EDITABLE_STATUSES, load_visit

MAX_SIGNATURE_BYTES = 300 * 1024
MAX_WORDING = 20000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FROZEN = N_("Biên bản đã được thông qua: không thể sửa nội dung hay câu chữ nữa; "
            "sau khi ký, vui lòng lập bản đính chính nếu cần.")


@dataclasses.dataclass(frozen=True)
class MinutesEnv:
    """Where the minutes' files and keys live, and the public address for the QR code."""
    files: Path
    photos: Path
    certs: Path
    base_url: str
    organisation: str = minutes_keys.DEFAULT_ORGANISATION
    signing: minutes_keys.SigningConfig | None = None  # token, timestamp authority
    verification: VerifySettings = VerifySettings()
    # HTML → (PDF bytes, where the element with the given id is): WeasyPrint; tests hold it
    renderer: Callable[[str, str], tuple] = render_pdf_placed


# ----------------------------------------------------------------- loading

def load_for_minutes(store, visit_id: int, user: dict, *, prepare: bool = False) -> dict:
    visit = load_visit(store, visit_id, user)
    if prepare and not store.read(can_prepare_minutes, user, visit):
        raise Forbidden(N_("Tài khoản không có quyền lập biên bản: chỉ Thư ký Đoàn, Trưởng đoàn hoặc quản trị viên được lập."))
    return visit


# ----------------------------------------------------------------- draft and wording

def _new_draft(db, visit: dict, user: dict, corrects: dict | None = None) -> dict:
    latest = sql.latest_version(db, visit["id"])
    minutes_id = sql.insert_version(
        db, visit_id=visit["id"], version=(latest["version"] + 1) if latest else 1, status="draft",
        wording=(latest or {}).get("wording") or {}, corrects=corrects and corrects["id"],
        created_at=now_utc(), created_by=user["id"])
    visits_sql.touch_visit(db, visit["id"], now_utc(), status="minutes_draft")
    return sql.get_version_by_id(db, minutes_id)


def generate_draft(store, user: dict, visit_id: int) -> dict:
    """The draft of the visit's minutes, created at the first call (visit → minutes_draft)."""
    load_for_minutes(store, visit_id, user, prepare=True)

    def write(db):
        visit = visits_sql.get_visit(db, visit_id)
        latest = sql.latest_version(db, visit_id)
        if latest is not None and latest["status"] == "draft":
            return latest
        if latest is not None:
            raise Conflict(FROZEN, "status")
        if visit["status"] not in EDITABLE_STATUSES:
            raise Conflict(FROZEN, "status")
        draft = _new_draft(db, visit, user)
        audit.record(db, user, "minutes.draft", "minutes", draft["id"],
                     {"visit_id": visit_id, "version": draft["version"]})
        return draft
    return store.write(write)


def edit_wording(store, user: dict, visit_id: int, wording: dict) -> dict:
    """Replace the secretary's wording of the draft (an empty text = the generated one)."""
    load_for_minutes(store, visit_id, user, prepare=True)
    clean = {}
    for key, text in (wording or {}).items():
        if key not in SECTIONS:
            raise DomainError(N_("Không có phần '%(key)s' trong biên bản"), key, key=key)
        if not isinstance(text, str) or len(text) > MAX_WORDING:
            raise DomainError(N_("'%(key)s' phải là văn bản dưới %(max_wording)s ký tự"), key,
                              key=key, max_wording=MAX_WORDING)
        if text.strip():
            clean[key] = text.replace("\r\n", "\n").strip()

    def write(db):
        latest = sql.latest_version(db, visit_id)
        if latest is None or latest["status"] != "draft":
            raise Conflict(FROZEN if latest else N_("Chưa có dự thảo biên bản."), "status")
        sql.update_version(db, latest["id"], wording=clean)
        changed = sorted(k for k in set(clean) | set(latest["wording"] or {})
                         if clean.get(k) != (latest["wording"] or {}).get(k))
        audit.record(db, user, "minutes.wording", "minutes", latest["id"],
                     {"visit_id": visit_id, "version": latest["version"], "sections": changed,
                      "wording": {k: clean.get(k, "") for k in changed}})
        return sql.get_version_by_id(db, latest["id"])
    return store.write(write)


def issue_correction(store, user: dict, visit_id: int) -> dict:
    """A new draft version correcting the signed one; the record reopens for editing."""
    load_for_minutes(store, visit_id, user, prepare=True)

    def write(db):
        latest = sql.latest_version(db, visit_id)
        if latest is None or latest["status"] != "signed":
            raise Conflict(N_("Chỉ lập bản đính chính cho biên bản đã ký."), "status")
        draft = _new_draft(db, visits_sql.get_visit(db, visit_id), user, corrects=latest)
        audit.record(db, user, "minutes.correction", "minutes", draft["id"],
                     {"visit_id": visit_id, "version": draft["version"], "corrects_version": latest["version"],
                      "corrects_number": f"{latest['number']:02d}/{latest['symbol']}"})
        return draft
    return store.write(write)


def set_signatory_roles(store, user: dict, visit_id: int, roles: list[str]) -> list[str]:
    """The signatory roles the visit's delegation requires from now on."""
    visit = load_for_minutes(store, visit_id, user, prepare=True)
    chosen = [r for r in SIGNATORY_ROLES if r in (roles or [])]
    if not chosen or len(chosen) != len(set(roles)):
        raise DomainError(N_("Vui lòng chọn ít nhất một người ký trong: %(choices)s."), "roles",
                          choices=labels(SIGNATORY_LABELS))
    def write(db):
        sql.set_required_roles(db, visit["delegation_id"], chosen)
        audit.record(db, user, "minutes.signatories", "delegation", visit["delegation_id"], {"roles": chosen})
    store.write(write)
    return chosen


def required_roles(store, visit: dict) -> list[str]:
    return store.read(sql.required_roles, visit["delegation_id"]) or list(DEFAULT_ROLES)


# ----------------------------------------------------------------- finalize

class _Changed(Exception):
    """The record changed between the snapshot a document was rendered from and the write."""


ATTEMPTS = 3
CHANGED = N_("Hồ sơ vừa được người khác thay đổi trong lúc lập biên bản; vui lòng thử lại.")


def _snapshot(db, visit_id: int) -> tuple:
    """Everything a rendered version depends on, compared again inside the write: the
    visit's revision (every change of the record bumps it), the latest version and its
    wording, the delegation with its members, and the signatory roles."""
    visit = visits_sql.get_visit(db, visit_id)
    latest = sql.latest_version(db, visit_id)
    delegation = delegations_sql.get_delegation(db, visit["delegation_id"])
    members = delegations_sql.list_members(db, visit["delegation_id"])
    return (visit["revision"], visit["status"],
            latest and (latest["id"], latest["status"], json.dumps(latest["wording"], sort_keys=True)),
            json.dumps([delegation, members], sort_keys=True, default=str),
            sql.required_roles(db, visit["delegation_id"]))


MISSING = NP_("count", "Còn %(count)s mục bắt buộc của nội dung khảo sát chưa được trả lời; "
              "vui lòng trả lời hoặc xác nhận vẫn thông qua biên bản.",
              "Còn %(count)s mục bắt buộc của nội dung khảo sát chưa được trả lời; "
              "vui lòng trả lời hoặc xác nhận vẫn thông qua biên bản.")


def missing_items(store, forms, visit: dict, locale: str = "vi") -> list[str]:
    """The questions (in `locale`) of the required checklist items still unanswered, in
    form order (an item its skip logic leaves out is not missing)."""
    form = store.read(forms.for_visit, visit)
    fields = store.read(visits_sql.fields_of, visit["id"])
    answers = {path[len("checklist."):-len(".value")]: field["value"] for path, field in fields.items()
               if path.startswith("checklist.") and path.endswith(".value")}
    return [own_text(form.items[key], "label", locale) for key in form.missing_required(answers)]


def finalize_minutes(store, forms, env: MinutesEnv, user: dict, visit_id: int, *,
                     confirmed: bool = False) -> dict:
    """Freeze record and wording, allocate the number, store the final PDF (visit → minutes_final).
    With required checklist items unanswered, only once the user `confirmed` it (409 before).

    The PDF is rendered from a snapshot outside the write lock (a visit with many
    photos takes seconds); the write then checks that nothing it depends on changed
    and that the number is still free, or renders again."""
    visit = load_for_minutes(store, visit_id, user, prepare=True)
    missing = missing_items(store, forms, visit) if visit["status"] in EDITABLE_STATUSES else []
    if missing and not confirmed:
        raise Conflict(MISSING, "confirm", count=len(missing))
    for _attempt in range(ATTEMPTS):
        seen = store.read(_snapshot, visit_id)
        visit, latest = store.read(visits_sql.get_visit, visit_id), store.read(sql.latest_version, visit_id)
        if latest is not None and latest["status"] != "draft":
            raise Conflict(N_("Biên bản đã được thông qua trước đó."), "status")
        minutes = dict(latest or preview(visit_id), required_roles=required_roles(store, visit))
        inp = _final_input(store, forms, env, visit, minutes)
        frozen = {"input_json": json.dumps(freeze(inp), ensure_ascii=False, sort_keys=True),
                  "content_sha256": content_sha256(inp), "required_roles": minutes["required_roles"]}
        try:
            pdf, _ = env.renderer(render_html(build_context(inp)), minutes_keys.SEAL_ELEMENT)
            staged = [files.stage_bytes(env.files, pdf, ".pdf")]
            with files.cleaned_up(staged):  # placed only by the write that records it
                minutes_id = store.write(_commit_final, user, visit_id, seen, inp,
                                         dict(frozen, final_pdf_sha256=staged[0].sha256), staged)
            return store.read(sql.get_version_by_id, minutes_id)  # read after the lock: input_json is large
        except _Changed:
            continue
    raise Conflict(CHANGED, "status")


def _final_input(store, forms, env: MinutesEnv, visit: dict, minutes: dict):
    corrected = store.read(sql.get_version_by_id, minutes["corrects"]) if minutes.get("corrects") else None
    inp = input_from_visit(store, forms, visit, minutes, photos_dir=env.photos, base_url=env.base_url,
                           corrects_version=corrected and corrected["version"],
                           corrects_citation=corrected and citation_of(corrected))
    number = store.read(sql.peek_number, visit["delegation_body"], inp.year)
    return _renumbered(inp, number, env.base_url)


def citation_of(minutes: dict) -> dict:
    """How a correction cites the version it corrects: its number and date."""
    issued = (minutes.get("input_json") or {}).get("issued_date")
    return {"number": f"{minutes['number']:02d}/{minutes['symbol']}", "date": issued}


def _commit_final(db, user: dict, visit_id: int, seen: tuple, inp, frozen: dict, staged: list) -> int:
    """The write of finalize: nothing heavy here (rendering, hashing and the staged file are done)."""
    if _snapshot(db, visit_id) != seen:
        raise _Changed()
    with files.placing(staged):
        return _record_final(db, user, visit_id, inp, frozen)


def _record_final(db, user: dict, visit_id: int, inp, frozen: dict) -> int:
    visit = visits_sql.get_visit(db, visit_id)
    latest = sql.latest_version(db, visit_id) or _new_draft(db, visit, user)
    if sql.next_number(db, visit["delegation_body"], inp.year) != inp.number:
        raise _Changed()  # another finalize of the same body took this number meanwhile
    sql.update_version(db, latest["id"], status="final", body=visit["delegation_body"], year=inp.year,
                       number=inp.number, symbol=inp.symbol, finalized_at=now_utc(), finalized_by=user["id"],
                       **frozen)
    visits_sql.touch_visit(db, visit_id, now_utc(), status="minutes_final")
    audit.record(db, user, "minutes.finalize", "minutes", latest["id"], {
        "visit_id": visit_id, "version": latest["version"], "number": f"{inp.number:02d}/{inp.symbol}",
        "content_sha256": frozen["content_sha256"], "pdf_sha256": frozen["final_pdf_sha256"]})
    return latest["id"]


def _renumbered(inp, number: int, base_url: str):
    from survey_app.domain.minutes.input import with_verify_url
    return with_verify_url(dataclasses.replace(inp, number=number), base_url)


# ----------------------------------------------------------------- signatures

def decode_signature(image) -> bytes:
    """The PNG bytes of a drawn signature (base64, optionally a data URI) or DomainError('image')."""
    if not isinstance(image, str) or not image:
        raise DomainError(N_("Thiếu ảnh chữ ký (PNG mã hóa base64)."), "image")
    text = image.split(",", 1)[1] if image.startswith("data:") else image
    if len(text) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise DomainError(N_("Ảnh chữ ký quá lớn (tối đa %(kb)s KB)."), "image", kb=MAX_SIGNATURE_BYTES // 1024)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(N_("Ảnh chữ ký không phải base64 hợp lệ."), "image") from None
    if not data.startswith(PNG_MAGIC):
        raise DomainError(N_("Ảnh chữ ký phải là tệp PNG."), "image")
    try:
        with Image.open(io.BytesIO(data)) as picture:
            picture.verify()
            if picture.width > 3000 or picture.height > 2000:
                raise DomainError(N_("Ảnh chữ ký có kích thước quá lớn."), "image")
    except DomainError:
        raise
    except Exception:
        raise DomainError(N_("Ảnh chữ ký PNG bị hỏng."), "image") from None
    return data


def add_signature(store, env: MinutesEnv, user: dict, visit_id: int, role: str, name: str,
                  image, device: str = "") -> dict:
    """Record one drawn signature of the final version; seal the PDF when all are in.

    Who may fill which slot is `signing_capacity`. The last signature's sealed PDF is
    rendered and sealed outside the write lock; the write then records the signature
    and the seal together, unless another signature arrived meanwhile (then again)."""
    visit = load_visit(store, visit_id, user)
    if role not in SIGNATORY_ROLES:
        raise DomainError(N_("Vui lòng chọn người ký là một trong: %(choices)s."), "role",
                          choices=labels(SIGNATORY_LABELS))
    capacity = store.read(signing_capacity, user, visit, role)
    if capacity is None:
        raise Forbidden(SIGN_REFUSED[role], "role")
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 200:
        raise DomainError(N_("Vui lòng nhập họ và tên người ký (tối đa 200 ký tự)."), "name")
    signature = {"role": role, "name": name, "png": decode_signature(image), "on_behalf": capacity == ON_BEHALF,
                 "device": (device or "")[:200], "collector": user.get("full_name") or user.get("username")}
    for _attempt in range(ATTEMPTS):
        seen = store.read(_signing_state, visit_id)
        latest, signed = _check_can_sign(store, visit_id, role)
        missing = [r for r in latest["required_roles"] if r not in signed | {role}]
        sealed = None if missing else _sealed_pdf(store, env, latest, signature)
        staged = [files.stage_bytes(env.files, signature["png"], ".png"),
                  files.stage_bytes(env.files, sealed[0], ".pdf") if sealed else None]
        try:
            with files.cleaned_up(staged):  # placed only by the write that records them
                return store.write(_record_signature, user, visit_id, seen, signature, sealed, missing, staged)
        except _Changed:
            continue
    raise Conflict(CHANGED, "role")


def _signing_state(db, visit_id: int) -> tuple:
    latest = sql.latest_head(db, visit_id)
    if latest is None:
        return (None,)
    return (latest["id"], latest["status"], tuple(s["id"] for s in sql.signatures_of(db, latest["id"])))


def _check_can_sign(store, visit_id: int, role: str) -> tuple[dict, set]:
    latest = store.read(sql.latest_version, visit_id)
    if latest is None or latest["status"] != "final":
        raise Conflict(N_("Chỉ ký được biên bản đã được thông qua và chưa ký xong."), "status")
    if role not in latest["required_roles"]:
        raise Conflict(N_("Vai trò này không nằm trong danh sách người ký của biên bản."), "role")
    signed = {s["role"] for s in store.read(sql.signatures_of, latest["id"])}
    if role in signed:
        raise Conflict(N_("Vai trò này đã ký biên bản."), "role")
    return latest, signed


def _record_signature(db, user: dict, visit_id: int, seen: tuple, signature: dict,
                      sealed: tuple | None, missing: list[str], staged: list) -> dict:
    """The write of a signature (and of the seal when it is the last): the files are
    staged already and only placed here, once the state is known to be unchanged."""
    if _signing_state(db, visit_id) != seen:
        raise _Changed()
    with files.placing(staged):
        return _insert_signature(db, user, visit_id, signature, sealed, missing,
                                 staged[0].sha256, staged[1] and staged[1].sha256)


def _insert_signature(db, user: dict, visit_id: int, signature: dict, sealed: tuple | None,
                      missing: list[str], image_sha: str, pdf_sha: str | None) -> dict:
    latest = sql.latest_head(db, visit_id)
    at = now_utc()
    sql.insert_signature(db, minutes_id=latest["id"], role=signature["role"], name=signature["name"],
                         image_sha256=image_sha, signed_at=at, user_id=user["id"],
                         on_behalf=int(signature["on_behalf"]), device=signature["device"])
    audit.record(db, user, "minutes.sign", "minutes", latest["id"], {
        "visit_id": visit_id, "version": latest["version"], "role": signature["role"], "name": signature["name"],
        "collected_by": signature["collector"], "on_behalf": signature["on_behalf"], "device": signature["device"]})
    if sealed is not None:
        _, signed_sha, sealed_at = sealed  # the moment the visible seal shows
        sql.update_version(db, latest["id"], status="signed", signed_at=sealed_at, signed_content_sha256=signed_sha,
                           signed_pdf_sha256=pdf_sha)
        visits_sql.touch_visit(db, visit_id, at, status="signed")
        audit.record(db, user, "minutes.seal", "minutes", latest["id"],
                     {"visit_id": visit_id, "version": latest["version"], "content_sha256": signed_sha})
    return {"ok": True, "role": signature["role"], "version": latest["version"], "missing": missing,
            "sealed": sealed is not None, "on_behalf": signature["on_behalf"]}


def _signed_blocks(env: MinutesEnv, rows: list[dict], new: dict) -> dict:
    """role → {name, image_png, collected_by} of every signature, the new one included."""
    blocks = {s["role"]: {"name": s["name"], "image_png": file_path(env.files, s["image_sha256"], ".png").read_bytes(),
                          "collected_by": s["collected_by"] if s.get("on_behalf") else None} for s in rows}
    blocks[new["role"]] = {"name": new["name"], "image_png": new["png"],
                           "collected_by": new["collector"] if new["on_behalf"] else None}
    return blocks


def _sealed_pdf(store, env: MinutesEnv, minutes: dict, new: dict) -> tuple[bytes, str, str]:
    """(sealed PDF, signed content hash, the moment the seal shows) of the version with
    every signature placed; refused when the sealing certificate may not seal."""
    signed = _signed_blocks(env, store.read(sql.signatures_of, minutes["id"]), new)
    inp = with_signatures(thaw(minutes["input_json"]), signed, minutes["required_roles"], env.base_url)
    sealed, at = seal_document(store, env, build_context(inp), render_html,
                               reason=f"Biên bản số {inp.number:02d}/{inp.symbol}, phiên bản {inp.version}",
                               location=inp.issued_place)
    return sealed, content_sha256(inp), at


def signatures(store, minutes: dict) -> list[dict]:
    return store.read(sql.signatures_of, minutes["id"])


def versions(store, visit_id: int) -> list[dict]:
    return store.read(sql.versions_of, visit_id)


def latest(store, visit_id: int) -> dict | None:
    return store.read(sql.latest_version, visit_id)


def preview(visit_id: int) -> dict:
    """An unsaved draft: what the minutes would say now, before anyone generated them
    (reading the latest minutes never creates a version)."""
    return {"id": None, "visit_id": visit_id, "version": 1, "status": "draft", "wording": {},
            "corrects": None}


def require_version(store, visit_id: int, version: int | None, preview_ok: bool = False) -> dict:
    """A stored version, or (without a version number) the latest one; with
    `preview_ok`, an unsaved preview draft when none was generated yet."""
    row = store.read(sql.get_version, visit_id, version) if version else latest(store, visit_id)
    if row is None and preview_ok and not version:
        row = preview(visit_id)
    if row is None:
        raise NotFound(N_("Chưa có biên bản cho buổi khảo sát này."))
    return row
