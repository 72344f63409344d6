"""`survey-app unit import FILE.csv|xlsx [--dry-run]`: the units directory from a file."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from survey_app.cli.commands import CLI_USER, fail, store
from survey_app.domain.errors import DomainError

unit_group = AppGroup("unit", help="The units directory: bulk import from CSV or XLSX.")


def plan_lines(result: dict) -> list[str]:
    """The plan of an import, one line a row (Vietnamese, as the page shows it)."""
    lines = [f"dòng {row['row']}: tạo '{row['name']}'" + (f" ({row['locality']})" if row["locality"] else "")
             for row in result["created"]]
    lines += [f"dòng {row['row']}: đã có '{row['existing']}' (mã {row['id']})" for row in result["matched"]]
    lines += [f"dòng {row['row']}, cột {row['field']}: {row['message'] % row['params'] if row['params'] else row['message']}"
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
        fail(error.message)
    for line in plan_lines(result):
        click.echo(line)
    counts = (f"{len(result['created'])} tạo mới, {len(result['matched'])} đã có, "
              f"{len(result['refused'])} bị từ chối")
    if result["refused"]:
        fail(f"{counts}: chưa nhập đơn vị nào; vui lòng sửa các dòng bị từ chối rồi chạy lại.")
    click.echo(f"{counts} (chạy thử, chưa nhập)." if dry_run else f"Đã nhập: {counts}.")
