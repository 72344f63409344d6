"""What a council sets up from the command line: checklist forms (XLSForm import and
export, retiring) and delegations with their members."""
from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup
from flask_babel import get_locale, gettext

from survey_app.cli.commands import AS_GIVEN, CLI_USER, fail, forms, refuse, say, store
from survey_app.domain.errors import DomainError
from survey_app.markers import N_


form_group = AppGroup("form", help="Checklist forms: XLSForm import and export, retiring.")


@form_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--check", is_flag=True, help="Only check the file; publish nothing.")
def form_import(file, check):
    """Publish the XLSForm FILE.xlsx as the new version of its form (every problem is
    printed with its sheet, row and column; nothing is published unless the file is clean)."""
    from survey_app.domain.forms import operations as form_ops
    with open(file, "rb") as handle:
        data = handle.read()
    try:
        if check:
            spec = form_ops.prepare_xlsform(forms(), CLI_USER, data)
        else:
            spec = form_ops.publish_xlsform(store(), forms(), CLI_USER, data)
    except form_ops.FormProblems as error:
        for problem in error.problems:
            say(N_("Lỗi: %(message)s"), err=True,
                message=problem.translated(gettext) if hasattr(problem, "translated") else problem)
        sys.exit(1)
    except DomainError as error:
        refuse(error)
    say(N_("Hợp lệ: %(id)s phiên bản %(version)s (%(hash)s).") if check else
        N_("Đã phát hành: %(id)s phiên bản %(version)s (%(hash)s)."),
        id=spec.id, version=spec.version, hash=spec.content_hash[:12])


@form_group.command("export")
@click.argument("form_id")
@click.argument("file", type=click.Path(dir_okay=False))
def form_export(form_id, file):
    """Write the current version of FORM_ID as an XLSForm workbook FILE.xlsx."""
    from survey_app.domain.forms import operations as form_ops
    try:
        data = form_ops.form_xlsform(forms(), CLI_USER, form_id)
    except DomainError as error:
        refuse(error)
    with open(file, "wb") as handle:
        handle.write(data)
    say(N_("Đã ghi %(file)s."), file=file)


@form_group.command("retire")
@click.argument("form_id")
@click.option("--undo", is_flag=True, help="Bring a retired form back into use.")
def form_retire(form_id, undo):
    """Retire FORM_ID: no new visits use it; visits already started keep their version."""
    from survey_app.domain.forms import operations as form_ops
    try:
        form_ops.retire_form(store(), forms(), CLI_USER, form_id, retired=not undo)
    except DomainError as error:
        refuse(error)
    say(N_("Biểu mẫu %(id)s: dùng lại.") if undo else N_("Biểu mẫu %(id)s: ngừng sử dụng."), id=form_id)


delegation_group = AppGroup("delegation", help="Delegations (đoàn khảo sát / giám sát) and their members.")


def _delegation_options(command):
    """The fields of a delegation as options; `edit` changes only those given."""
    for option in reversed([
        click.option("--name", default=None, help="Tên đoàn."),
        click.option("--body", default=None, help="Cơ quan (e.g. Ban Pháp chế HĐND tỉnh)."),
        click.option("--parent-body", default=None, help="Cơ quan cấp trên (e.g. HĐND tỉnh Gia Lai)."),
        click.option("--kind", default=None, help="khao_sat or giam_sat."),
        click.option("--topic", default=None, help="Chủ đề."),
        click.option("--symbol", default=None, help="Ký hiệu in trong số văn bản (e.g. BPC)."),
        click.option("--followup-days", type=int, default=None, help="Thời hạn theo dõi kiến nghị (ngày)."),
        click.option("--decision-number", default=None, help="Số quyết định thành lập đoàn."),
        click.option("--decision-date", default=None, help="Ngày quyết định (YYYY-MM-DD)."),
        click.option("--period-from", default=None, metavar="YYYY-MM-DD",
                     help="Thời gian khảo sát: từ ngày (\"\" xóa)."),
        click.option("--period-to", default=None, metavar="YYYY-MM-DD",
                     help="Thời gian khảo sát: đến ngày (\"\" xóa)."),
        click.option("--signature-layout", default=None, metavar="mau_1_9|three_party",
                     help="Bố cục chữ ký của biên bản: mau_1_9 (Mẫu 1.9) hoặc three_party (ba bên)."),
        click.option("--minutes-place", default=None,
                     help="Địa danh ở dòng ngày tháng của biên bản (\"\" trở về mặc định)."),
        click.option("--minutes-copies", multiple=True, metavar="HOLDER:COPIES",
                     help="Nơi giữ biên bản và số bản (lặp lại cho mỗi nơi; danh sách mới thay cả danh sách; "
                          "\"\" trở về mặc định)."),
        click.option("--minutes-recipients", multiple=True, metavar="LINE",
                     help="Một nơi được gửi biên bản (lặp lại cho mỗi nơi; danh sách mới thay cả danh sách; "
                          "\"\" trở về mặc định)."),
        click.option("--member", "members", multiple=True, metavar="NAME;TITLE;ROLE[;USERNAME]",
                     help="Một thành viên (lặp lại cho mỗi người); ROLE: head, deputy, member, secretary. "
                          "In edit, the list given replaces the members."),
    ]):
        command = option(command)
    return command


def _delegation_data(options: dict, current: dict | None = None) -> dict:
    """The API's body from the options given (checked by delegations.parse, same messages);
    in `edit`, one end of the period given keeps the other (`current`)."""
    from survey_app.domain.directory import minutes_settings
    data = {key: value for key, value in options.items()
            if key in ("name", "body", "parent_body", "kind", "topic", "symbol", "followup_days",
                       "signature_layout") and value is not None}
    if options["period_from"] is not None or options["period_to"] is not None:
        kept = (current or {}).get("period") or {}
        data["period"] = {"from": kept.get("from", "") if options["period_from"] is None else options["period_from"],
                          "to": kept.get("to", "") if options["period_to"] is None else options["period_to"]}
    if options["minutes_place"] is not None:
        data["minutes_place"] = options["minutes_place"] or None
    if options["minutes_copies"]:
        data["minutes_copies"] = minutes_settings.copies_from_lines("\n".join(options["minutes_copies"]))
    if options["minutes_recipients"]:
        data["minutes_recipients"] = [line for line in options["minutes_recipients"] if line.strip()] or None
    if options["decision_number"] is not None or options["decision_date"] is not None:
        data["decision"] = {"number": options["decision_number"] or "", "date": options["decision_date"] or ""}
    if options["members"]:
        data["members"] = []
        for text in options["members"]:
            parts = [part.strip() for part in text.split(";")]
            if not 3 <= len(parts) <= 4:
                fail(f"--member '{text}': cần dạng TÊN;CHỨC VỤ;VAI TRÒ[;TÊN ĐĂNG NHẬP]")
            member = {"name": parts[0], "title": parts[1], "role": parts[2]}
            if len(parts) == 4 and parts[3]:
                member["username"] = parts[3]
            data["members"].append(member)
    return data


def _refusal(error: DomainError):
    reason = error.translated(gettext, locale=str(get_locale() or "vi"))
    fail(N_("%(reason)s (trường: %(field)s)") if error.field else AS_GIVEN, field=error.field, reason=reason)


@delegation_group.command("create")
@_delegation_options
def delegation_create(**options):
    """Create a delegation; prints its id (an existing one with the same name and body: exit 2)."""
    from survey_app.domain.directory import delegations
    try:
        delegation_id = delegations.create(store(), CLI_USER, _delegation_data(options))
    except DomainError as error:
        _refusal(error)
    click.echo(delegation_id)


@delegation_group.command("edit")
@click.argument("delegation_id", type=int)
@_delegation_options
def delegation_edit(delegation_id, **options):
    """Change the fields given of delegation DELEGATION_ID (audited)."""
    from survey_app.domain.directory import delegations
    try:
        current = delegations.get(store(), CLI_USER, delegation_id)
        delegations.update(store(), CLI_USER, delegation_id, _delegation_data(options, current))
    except DomainError as error:
        _refusal(error)
    say(N_("Đã cập nhật đoàn %(id)s."), id=delegation_id)


@delegation_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the API's shape) instead of a table.")
def delegation_list(as_json):
    """List every delegation with its members."""
    from survey_app.domain.directory import delegations
    rows, page = [], 1
    while True:
        result = delegations.list_page(store(), CLI_USER, page)
        rows += result["delegations"]
        if not result["has_next"]:
            break
        page += 1
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        head = next((m["name"] for m in row["members"] if m["role"] == "head"), "")
        click.echo(f"{row['id']}\t{row['kind']}\t{row['symbol']}\t{row['name']}\t{row['body']}\t"
                   f"{len(row['members'])} thành viên\t{head}")
