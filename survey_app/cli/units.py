"""`survey-app unit import FILE.csv|xlsx [--dry-run]`: the units directory from a file."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext

from survey_app.cli.commands import CLI_USER, fail, refuse, say, store
from survey_app.domain.errors import DomainError
from survey_app.markers import N_

unit_group = AppGroup("unit", help="The units directory: bulk import from CSV or XLSX.")


def plan_lines(result: dict) -> list[str]:
    """The plan of an import, one line a row, in the configured language."""
    lines = [gettext(N_("dòng %(row)s: tạo '%(name)s' (%(locality)s)") if row["locality"] else
                     N_("dòng %(row)s: tạo '%(name)s'")) % row for row in result["created"]]
    lines += [gettext(N_("dòng %(row)s: đã có '%(existing)s' (mã %(id)s)")) % row for row in result["matched"]]
    lines += [gettext(N_("dòng %(row)s, cột %(field)s: %(message)s")) % {
        **row, "message": gettext(row["message"]) % row["params"] if row["params"] else gettext(row["message"])}
        for row in result["refused"]]
    return lines


@unit_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only show what would be created, matched or refused.")
def unit_import(file, dry_run):
    """Import units from FILE (CSV UTF-8 or XLSX; header ten_don_vi,loai,dia_ban,don_vi_cap_tren).
    Nothing is imported when a row is refused (exit 2)."""
    from survey_app.domain.directory import unit_import as importer
    try:
        result = importer.import_units(store(), CLI_USER, Path(file).name, Path(file).read_bytes(),
                                       dry_run=dry_run)
    except DomainError as error:
        refuse(error)
    for line in plan_lines(result):
        click.echo(line)
    counts = {"created": len(result["created"]), "matched": len(result["matched"]),
              "refused": len(result["refused"])}
    if result["refused"]:
        fail(N_("%(created)s tạo mới, %(matched)s đã có, %(refused)s bị từ chối: chưa nhập đơn vị nào; "
                "vui lòng sửa các dòng bị từ chối rồi chạy lại."), **counts)
    say(N_("%(created)s tạo mới, %(matched)s đã có, %(refused)s bị từ chối (chạy thử, chưa nhập).") if dry_run
        else N_("Đã nhập: %(created)s tạo mới, %(matched)s đã có, %(refused)s bị từ chối."), **counts)
