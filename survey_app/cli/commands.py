"""The `survey-app` command (also `flask --app survey_app …`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask_babel import get_locale, get_translations, gettext, npgettext
from flask.cli import AppGroup, with_appcontext

from survey_app import services
from survey_app.domain.accounts import operations as accounts
from survey_app.domain.access import USER_ROLES
from survey_app.domain.errors import DomainError
from survey_app.markers import N_
from survey_app.storage import backup as backup_sql


store = services.store
forms = services.forms
photos_dir = services.photos_dir
minutes_env = services.minutes_env


def fail(message: str, code: int = 2, **params):
    """Stop with `message` (a catalogue entry, filled with `params`) in the configured language."""
    text = gettext(message) % params if params else gettext(message)
    click.echo(gettext(N_("Lỗi: %(message)s")) % {"message": text}, err=True)
    sys.exit(code)


def refuse(error: DomainError, code: int = 2):
    """Stop with a refused operation's message, translated as the pages translate it."""
    fail(AS_GIVEN, code, reason=error.translated(gettext, locale=str(get_locale() or "vi"),
                                                 npgettext=get_translations().npgettext))


def say(template: str, /, err: bool = False, **params) -> None:
    """Print `template` (a catalogue entry, filled with `params`) in the configured language."""
    click.echo(gettext(template) % params if params else gettext(template), err=err)


AS_GIVEN = "%(reason)s"  # a message already worded (a library's or another layer's), shown as it is


@click.command("init")
@click.option("--demo", is_flag=True, help="Also load the demo accounts and the seed case.")
@with_appcontext
def init_command(demo: bool):
    """Create or upgrade the database (idempotent)."""
    say(N_("Cơ sở dữ liệu: %(path)s"), path=current_app.config["DATABASE"])
    ensure_organisation_certificate()
    if demo:
        from survey_app.demo import finalize_survey_minutes, load_demo, load_survey_visits
        say(N_("Tài khoản dùng thử (tên đăng nhập / mật khẩu / vai trò):"))
        for username, password, role in load_demo(store(), forms(), photos_dir()):
            click.echo(f"  {username:<12} {password:<22} {role}")
        finalize_survey_minutes(store(), forms(), minutes_env(), load_survey_visits(store(), forms(), photos_dir()))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, threads: int):
    """Serve the app on waitress (a production WSGI server); with REPLICA_URL, replicate too."""
    import waitress
    replicator = _start_replication()
    click.echo(f"survey_app: http://{host}:{port}/")
    try:
        waitress.serve(current_app._get_current_object(), host=host, port=port, threads=threads,
                       ident="survey_app")
    finally:
        if replicator is not None:
            replicator.stop()


def _start_replication():
    from survey_app.storage import replication
    url = current_app.config.get("REPLICA_URL")
    if not url:
        return None
    folder = Path(current_app.instance_path) / "replication"
    folder.mkdir(exist_ok=True)
    try:
        replicator = replication.start(Path(current_app.config["DATABASE"]), url, folder,
                                       current_app.config["REPLICA_SYNC_INTERVAL"],
                                       log=open(folder / "litestream.log", "ab"))
    except replication.ReplicationError as error:
        fail(AS_GIVEN, reason=error.translated(gettext))
    say(N_("Sao chép liên tục cơ sở dữ liệu tới %(url)s."), url=url)
    return replicator


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, help=", ".join(USER_ROLES))
@click.option("--unit", default=None, help="The unit a 'host' user represents.")
@click.option("--full-name", default="")
@click.option("--email", default="", help="E-mail address (a host's reminders go there).")
@with_appcontext
def create_user_command(username, password, role, unit, full_name, email):
    """Create a user account."""
    try:
        user_id = accounts.create_user(store(), username, password, role, unit, full_name, email)
    except DomainError as error:
        refuse(error)
    say(N_("Đã tạo người dùng %(username)s (id %(id)s)."), username=username, id=user_id)


@click.command("set-email")
@click.argument("username")
@click.argument("address")
@with_appcontext
def set_email_command(username, address):
    """Give USERNAME the e-mail ADDRESS (\"\" removes it); a host's reminders go there."""
    try:
        kept = accounts.set_email(store(), username, address)
    except DomainError as error:
        refuse(error)
    say(N_("Đã đặt địa chỉ thư của %(username)s: %(address)s.") if kept else N_("Đã xóa địa chỉ thư của %(username)s."),
        username=username, address=kept)


token_group = AppGroup("token", help="API tokens.")


@token_group.command("create")
@click.argument("username")
def token_create(username):
    """Create an API token for USERNAME and print it (shown only once)."""
    try:
        click.echo(accounts.create_token(store(), username))
    except DomainError as error:
        refuse(error)


@token_group.command("revoke")
@click.argument("username")
def token_revoke(username):
    """Revoke every API token of USERNAME."""
    try:
        count = accounts.revoke_tokens(store(), username)
    except DomainError as error:
        refuse(error)
    click.echo(npgettext("count", "Đã thu hồi %(num)s mã truy cập.", "Đã thu hồi %(num)s mã truy cập.", count))


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--key-passphrase-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Include the organisation's signing key, encrypted with the passphrase in this file.")
@with_appcontext
def backup_command(file, key_passphrase_file):
    """Write an online backup of the live instance (database, stored files, certificates) to FILE."""
    from survey_app.domain import backup
    summary = backup.backup_instance(
        store(), services.files_dir(), file, services.certs_dir(),
        key_passphrase=_passphrase(key_passphrase_file),
        key_on_token=bool(current_app.config.get("SIGNING_PKCS11_MODULE")), actor=CLI_USER)
    say(N_("Đã sao lưu cơ sở dữ liệu, %(files)s tệp và %(trusted)s chứng thư số vào %(file)s."),
        files=summary.files, trusted=summary.trusted, file=file)
    say({
        backup.KEY_INCLUDED: N_("Khóa ký số của cơ quan có trong bản sao lưu, được mã hóa bằng mật khẩu đã cho."),
        backup.KEY_LEFT_OUT: N_("Khóa ký số của cơ quan KHÔNG có trong bản sao lưu. Để đưa khóa (đã mã hóa) "
                                "vào, vui lòng chạy lại với --key-passphrase-file TỆP_MẬT_KHẨU."),
        backup.KEY_ON_TOKEN: N_("Khóa ký số nằm trên thiết bị ký số (token/HSM), không có trong bản sao lưu."),
        backup.NO_KEY: N_("Phiên bản này chưa có khóa ký số của cơ quan."),
    }[summary.key])


def _passphrase(path) -> str | None:
    if not path:
        return None
    passphrase = Path(path).read_text(encoding="utf-8").strip()
    if len(passphrase) < 12:
        fail(N_("Mật khẩu khóa trong tệp quá ngắn: vui lòng dùng ít nhất 12 ký tự."))
    return passphrase


@click.command("restore")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--from-replica", is_flag=True, help="Restore from the Litestream replica (REPLICA_URL).")
@click.option("--timestamp", default=None, help="With --from-replica: the state at this time (ISO 8601).")
@click.option("--key-passphrase-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The passphrase of the signing key kept in the backup.")
@click.option("--without-key", is_flag=True, help="Restore without the signing key kept in the backup.")
@with_appcontext
def restore_command(file, from_replica, timestamp, key_passphrase_file, without_key):
    """Replace the database and files with the backup FILE (refused unless it is a survey_app
    backup), or with the continuous replica as it was at --timestamp (default: latest)."""
    from survey_app.domain.backup import restore_instance
    if bool(file) == bool(from_replica):
        fail(N_("Vui lòng chỉ rõ một nguồn: một tệp sao lưu, hoặc --from-replica."))
    if timestamp and not from_replica:
        fail(N_("--timestamp chỉ dùng cùng --from-replica."))
    try:
        if from_replica:
            _restore_from_replica(timestamp)
        else:
            restore_instance(store(), services.files_dir(), file, services.certs_dir(),
                             _passphrase(key_passphrase_file), without_key, actor=CLI_USER)
    except backup_sql.NotABackup as error:
        fail(AS_GIVEN, reason=error.translated(gettext))
    except DomainError as error:
        refuse(error)
    say(N_("Đã khôi phục từ %(source)s."), source=file or current_app.config["REPLICA_URL"])


def _restore_from_replica(timestamp):
    import tempfile

    from survey_app.domain.backup import restore_instance
    from survey_app.storage import replication
    url = current_app.config.get("REPLICA_URL")
    if not url:
        fail(N_("Chưa cấu hình bản sao liên tục (REPLICA_URL)."))
    with tempfile.TemporaryDirectory(dir=current_app.instance_path) as folder:
        try:
            database = replication.restore(url, Path(folder) / "replica.db", timestamp)
        except replication.ReplicationError as error:
            fail(AS_GIVEN, reason=error.translated(gettext))
        restore_instance(store(), services.files_dir(), database, actor=CLI_USER)


# The command line acts as the administrator who runs it.
CLI_USER = {"id": None, "role": "admin", "full_name": "survey-app", "username": "survey-app", "unit_id": None}


@click.command("import")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_command(file):
    """Import a visit document (survey-visit/1 JSON); print the visit id."""
    from survey_app.domain.visits import document as visit_io
    try:
        document = json.loads(file.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        fail(N_("tệp không phải JSON hợp lệ: %(reason)s"), reason=error)
    try:
        result = visit_io.import_document(store(), forms(), CLI_USER, document, photos_dir())
    except DomainError as error:  # the document's path of the field helps whoever edits the JSON file
        fail(N_("%(reason)s (trường: %(field)s)") if error.field else AS_GIVEN, field=error.field,
             reason=error.translated(gettext, locale=str(get_locale() or "vi")))
    for warning in result["warnings"]:
        say(N_("Cảnh báo: %(warning)s"), err=True, warning=warning)
    click.echo(result["id"])


@click.command("export-visit")
@click.argument("visit_id", type=int)
@with_appcontext
def export_visit_command(visit_id):
    """Print the visit document (survey-visit/1 JSON) of visit VISIT_ID."""
    from survey_app.domain.visits import document as visit_io
    from survey_app.storage import visits as visits_sql
    if store().read(visits_sql.get_visit, visit_id) is None:
        fail(N_("không có buổi khảo sát với mã %(id)s"), id=visit_id)
    document = visit_io.export_document(store(), visit_id, photos_dir())
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


audit_group = AppGroup("audit", help="The audit trail.")


@audit_group.command("verify")
def audit_verify():
    """Check the hash chain of the audit trail; exit 1 if an entry was edited or deleted."""
    from survey_app.domain.audit import document_anchors, verify_chain
    from survey_app.domain.files import file_path
    documents = document_anchors(store(), lambda sha: file_path(services.minutes_dir(), sha, ".pdf").read_bytes())
    problems = store().read(verify_chain, documents)
    for problem in problems:
        say(N_("Lỗi: %(message)s"), err=True, message=problem.translated(gettext))
    if problems:
        sys.exit(1)
    count = store().db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    click.echo(npgettext("count", "Nhật ký nguyên vẹn: %(num)s mục.", "Nhật ký nguyên vẹn: %(num)s mục.", count))


@click.command("remind")
@click.option("--days", default=30, show_default=True, type=int, help="Due within this many days.")
@click.option("--out", "out_dir", default=None, help="Folder of the digests (default: EXPORTS_DIR/nhac-viec).")
@click.option("--send", is_flag=True, help="E-mail each unit's digest to its hosts (SMTP_* keys) "
              "instead of writing files; a digest reaches an address at most once a day.")
@with_appcontext
def remind_command(days, out_dir, send):
    """Write one reminder digest per unit (what is due within DAYS and what is overdue),
    or with --send e-mail it to the unit's hosts. Exit 75: the mail server could not be
    used; run again later and it sends what is pending."""
    from pathlib import Path

    from survey_app.domain.followup import reminders
    if send:
        send_reminders(days)
    if out_dir or not send:
        folder = Path(out_dir or Path(current_app.config["EXPORTS_DIR"]) / "nhac-viec")
        written = reminders.write_digests(store(), CLI_USER, days, folder,
                                          base_url=current_app.config.get("BASE_URL", ""))
        click.echo(npgettext("count", "Đã ghi %(num)s bản nhắc việc vào %(folder)s.",
                             "Đã ghi %(num)s bản nhắc việc vào %(folder)s.", len(written) // 2, folder=folder))


EX_TEMPFAIL = 75  # sysexits.h: a temporary failure, the caller should try again later


def send_reminders(days: int) -> None:
    from survey_app.domain.followup import mail
    try:
        settings = mail.MailSettings.from_config(current_app.config)
    except mail.MailConfigError as error:
        fail(AS_GIVEN, reason=error.translated(gettext))
    result = mail.send_digests(store(), settings, CLI_USER, days)
    sent = npgettext("count", "Đã gửi %(num)s thư nhắc việc", "Đã gửi %(num)s thư nhắc việc", len(result.sent))
    click.echo(sent + (npgettext("count", "; %(num)s thư đã gửi hôm nay với cùng nội dung, không gửi lại.",
                                 "; %(num)s thư đã gửi hôm nay với cùng nội dung, không gửi lại.", result.already)
                       if result.already else "."))
    if result.without_address:
        say(N_("Chưa có địa chỉ thư của đại diện đơn vị (vui lòng thêm bằng create-user --email "
               "hoặc trang Người dùng): %(units)s"), err=True, units="; ".join(result.without_address))
    for address, reason in result.failed:
        say(N_("Lỗi: máy chủ thư từ chối gửi tới %(address)s: %(reason)s"), err=True, address=address, reason=reason)
    if result.unreachable:
        fail(N_("không gửi được thư nhắc việc: máy chủ thư %(reason)s. Còn %(pending)s thư chưa gửi; "
                "vui lòng chạy lại lệnh sau, các thư còn lại sẽ được gửi."), EX_TEMPFAIL,
             reason=result.unreachable, pending=result.pending)
    if result.failed:
        sys.exit(1)


def ensure_organisation_certificate():
    """Create instance/certs/organisation.p12 (and its passphrase file) when missing."""
    from survey_app.domain.minutes import keys as minutes_keys
    env = minutes_env()
    if minutes_keys.ensure_certificate(env.certs, env.organisation):
        say(N_("Đã tạo chứng thư số của cơ quan: %(path)s"), path=env.certs / minutes_keys.P12)


certificate_group = AppGroup("certificate", help="The organisation's signing certificate.")


@certificate_group.command("install")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help="A file holding the PKCS#12 passphrase (otherwise it is asked for).")
def certificate_install(file, passphrase_file):
    """Install FILE (PKCS#12) as the sealing certificate; an expired, not yet valid,
    non-signing or untrusted certificate is refused (exit 2) and nothing changes."""
    from pathlib import Path

    from survey_app.domain.minutes import keys as minutes_keys
    passphrase = Path(passphrase_file).read_text(encoding="utf-8").strip() if passphrase_file else \
        click.prompt(gettext(N_("Mật khẩu của tệp")), hide_input=True)
    env = minutes_env()
    try:
        subject = minutes_keys.install(store(), CLI_USER, env.certs, Path(file).read_bytes(), passphrase,
                                       env.verification.trusted_roots)
    except DomainError as error:
        refuse(error)
    say(N_("Đã cài chứng thư số: %(subject)s"), subject=subject)


@click.command("minutes")
@click.argument("visit_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The PDF file to write.")
@with_appcontext
def minutes_command(visit_id, out):
    """Write the PDF of the latest minutes version of visit VISIT_ID (a draft is rendered now)."""
    from pathlib import Path

    from survey_app.domain.minutes import documents as minutes_docs
    from survey_app.domain.minutes import operations as minutes_ops
    from survey_app.storage import visits as visits_sql
    if store().read(visits_sql.get_visit, visit_id) is None:
        fail(N_("không có buổi khảo sát với mã %(id)s"), id=visit_id)
    try:
        minutes = minutes_ops.require_version(store(), visit_id, None, preview_ok=True)
    except DomainError as error:
        refuse(error)
    from survey_app.domain.files import write_atomic
    write_atomic(Path(out).absolute(), minutes_docs.version_pdf(store(), forms(), minutes_env(), minutes))
    say(N_("Đã ghi biên bản phiên bản %(version)s (bản dự thảo) vào %(out)s.") if minutes["status"] == "draft"
        else N_("Đã ghi biên bản phiên bản %(version)s (đã thông qua) vào %(out)s."), version=minutes["version"], out=out)


@click.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def verify_command(file):
    """Check the signatures of a minutes PDF; exit 0 only when intact and valid."""
    import dataclasses
    from pathlib import Path

    from survey_app.domain.minutes import verification
    from survey_app.formatting import format_date
    env = minutes_env()  # checked here, in this process: the file is the operator's own
    env = dataclasses.replace(env, verification=dataclasses.replace(env.verification, workers=0))
    try:
        result = verification.verify_document(store(), env, Path(file).read_bytes())
    except DomainError as error:
        fail(N_("KHÔNG xác thực được: %(reason)s"), 1,
             reason=error.translated(gettext, locale=str(get_locale() or "vi")))
    for signer in result["signers"]:
        say(N_("Chữ ký: %(name)s lúc %(at)s (hợp lệ)") if signer["valid"] else
            N_("Chữ ký: %(name)s lúc %(at)s (không hợp lệ)"), name=signer["name"], at=signer["signed_at"])
        if signer.get("timestamp"):
            say(N_("  Dấu thời gian (RFC 3161): %(at)s"), at=signer["timestamp"])
        if signer["certificate_problem"]:
            say(verification.CERTIFICATE_PROBLEMS[signer["certificate_problem"]])
    if result.get("revocation_info"):
        info = result["revocation_info"]
        say(N_("Xác thực lâu dài (%(level)s): %(ocsp)s phản hồi OCSP, %(crl)s danh sách thu hồi (CRL) gắn "
               "trong tệp."), level=result["level"], ocsp=info["ocsp"], crl=info["crl"])
    if result["minutes"]:
        say(N_("Biên bản của buổi khảo sát %(visit)s, phiên bản %(version)s."), visit=result["visit_id"],
            version=result["version"])
    if result.get("report"):
        report = result["report"]
        say(N_("Báo cáo số %(number)s ngày %(date)s của %(body)s."), number=report["number"],
            date=format_date(report["date"]), body=report["issuing_body"])
    if result["replaced_by"]:
        newer = result["replaced_by"]
        say(N_("Đã được thay thế bởi phiên bản %(version)s (Biên bản số %(number)s, ngày %(date)s); vẫn có "
               "giá trị như nội dung đã ký khi đó."), version=newer["version"], number=newer["number"],
            date=format_date(newer["date"]))
    if result["valid"]:
        say(N_("Hợp lệ: tệp nguyên vẹn, chữ ký số hợp lệ."))
        return
    reason = result["error"] or gettext(N_("tệp đã bị sửa đổi sau khi ký") if result["modified"]
                                        else N_("chữ ký không hợp lệ hoặc không tin cậy"))
    fail(N_("KHÔNG hợp lệ: %(reason)s."), 1, reason=reason)
