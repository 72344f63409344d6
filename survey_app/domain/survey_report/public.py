"""What the public part of the site shows of published survey reports, and nothing
more: the published document's own facts (number, title, delegation, dates, the
units visited, the officials it names) and its recommendations with their live
status. No drafts, no progress notes, no evidence, no account names."""
from __future__ import annotations

from survey_app.clock import today_vn
from survey_app.domain.errors import NotFound
from survey_app.domain.files import file_path
from survey_app.domain.followup.operations import STATUSES, STATUS_LABELS
from survey_app.domain.survey_report.context import build_subject
from survey_app.markers import N_
from survey_app.storage import survey_reports as sql

UNKNOWN = N_("Không tìm thấy.")


def _number(row: dict) -> str:
    return f"{row['number']:02d}/{row['symbol']}"


def listing(store, unit_id: int | None = None, status: str | None = None) -> list[dict]:
    status = status if status in STATUSES else None
    return [{"id": r["id"], "number": _number(r), "title": title_of(r["input_json"]),
             "delegation": r["input_json"]["delegation"]["name"], "published_at": r["published_at"],
             "issued_date": r["input_json"]["issued_date"]}
            for r in store.read(sql.published, unit_id=unit_id, status=status)]


def report(store, report_id: int, *, unit_id: int | None = None, status: str | None = None) -> dict:
    """A published report as the public sees it; NotFound for anything else."""
    row = store.read(sql.get, report_id)
    if row is None or not row["published"]:
        raise NotFound(UNKNOWN)
    inp = row["input_json"]
    recommendations = [
        {"id": r["id"], "text": r["text"], "addressee": r["addressee"], "unit_id": r["unit_id"], "due": r["due"],
         "status": r["status"], "status_label": STATUS_LABELS[r["status"]], "overdue": bool(r["overdue"])}
        for r in store.read(sql.recommendations_of, report_id, today_vn())]
    shown = [r for r in recommendations if (unit_id is None or r["unit_id"] == unit_id)
             and (status not in STATUSES or r["status"] == status)]
    return {"id": row["id"], "number": _number(row), "title": title_of(inp),
            "subject": _subject(inp), "delegation": inp["delegation"]["name"],
            "issuing_body": f"{inp['delegation']['body']} {inp['delegation']['parent_body']}",
            "issued_date": inp["issued_date"], "published_at": row["published_at"],
            "signed": row["status"] == "signed",
            "signer": {"name": row["signer_name"] or inp["signer"]["name"],
                       "title": ", ".join(inp["signer"]["title_lines"])},
            "units": [{"unit": u["unit"], "date": u["date"]} for u in inp["units"]],
            "recommendations": shown,
            "addressees": [{"id": i, "name": n} for i, n in dict.fromkeys((r["unit_id"], r["addressee"])
                                                                          for r in recommendations)]}


def _subject(inp: dict) -> str:
    return build_subject(inp)


def title_of(inp: dict) -> str:
    """`Báo cáo kết quả khảo sát …`: the document's title and subject as one line."""
    subject = build_subject(inp)
    return f"Báo cáo {subject[:1].lower()}{subject[1:]}"


def as_json(data: dict, pdf_url: str) -> dict:
    """The contract of `GET /public/reports/ID.json` (DESIGN.md, 2026-11-29)."""
    return {"report": {"id": data["id"], "number": data["number"], "title": data["title"],
                       "delegation": data["delegation"], "published_at": data["published_at"], "pdf_url": pdf_url},
            "recommendations": [{k: r[k] for k in ("id", "text", "addressee", "due", "status", "overdue")}
                                for r in data["recommendations"]]}


def published_pdf(store, env, report_id: int) -> bytes:
    row = store.read(sql.get, report_id)
    if row is None or not row["published"]:
        raise NotFound(UNKNOWN)
    sha = row["signed_pdf_sha256"] or row["final_pdf_sha256"]
    return file_path(env.files, sha, ".pdf").read_bytes()


def revision(store) -> str:
    return store.read(sql.published_revision)


def units(store) -> list[dict]:
    return store.read(sql.units_with_published)
