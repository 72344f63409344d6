"""Reminder digests by e-mail: each unit's digest to the unit's host accounts that
have an address, over SMTP (STARTTLS, implicit TLS, or plain on a trusted relay).

Each (unit, day, digest content, address) is sent at most once: a send is claimed in
the log before the SMTP conversation and marked after it (storage/reminder_mail.py).
When the server cannot be reached, nothing more is tried in that run; what is not
sent stays pending and the next run sends it.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from survey_app.clock import now_utc, today_vn
from survey_app.domain.accounts.operations import valid_email
from survey_app.domain.errors import DomainError
from survey_app.domain.followup import reminders
from survey_app.formatting import format_date
from survey_app.markers import N_, WordedError
from survey_app.storage import reminder_mail as sql

TLS_MODES = ("starttls", "tls", "none")
TIMEOUT_SECONDS = 30
STALE_CLAIM = dt.timedelta(minutes=15)


class MailConfigError(WordedError, ValueError):
    """A configuration key of the mail is missing or wrong; the message names it."""


class MailUnavailable(Exception):
    """The SMTP server could not be reached or refused the session: try again later."""


@dataclasses.dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    tls: str
    user: str
    password: str
    sender_name: str
    sender_address: str
    base_url: str

    @classmethod
    def from_config(cls, config) -> "MailSettings":
        """The SMTP_* and MAIL_FROM keys, checked; a MailConfigError names the wrong key."""
        host = str(config.get("SMTP_HOST") or "").strip()
        if not host:
            raise MailConfigError(N_("Chưa cấu hình máy chủ thư: vui lòng đặt SMTP_HOST."))
        tls = str(config.get("SMTP_TLS") or "starttls").strip().lower()
        if tls not in TLS_MODES:
            raise MailConfigError(N_("Vui lòng đặt SMTP_TLS là một trong: %(modes)s."), modes=", ".join(TLS_MODES))
        try:
            port = int(config.get("SMTP_PORT") or 0) or {"starttls": 587, "tls": 465, "none": 25}[tls]
        except (TypeError, ValueError):
            port = -1
        if not 0 < port < 65536:
            raise MailConfigError(N_("Vui lòng đặt SMTP_PORT là số cổng từ 1 đến 65535 (0: theo SMTP_TLS)."))
        sender = str(config.get("MAIL_FROM") or "")
        name, address = parseaddr(sender)
        try:
            address = valid_email(address) if sender.isprintable() else ""
        except DomainError:
            address = ""
        if not address:
            raise MailConfigError(N_("Vui lòng đặt MAIL_FROM là một địa chỉ thư hợp lệ, "
                                     "ví dụ: Ban Pháp chế <bpc@hdnd.gialai.gov.vn>."))
        return cls(host=host, port=port, tls=tls, user=str(config.get("SMTP_USER") or ""),
                   password=str(config.get("SMTP_PASSWORD") or ""),
                   sender_name=name.strip(), sender_address=address,
                   base_url=str(config.get("BASE_URL") or ""))


@dataclasses.dataclass
class SendResult:
    sent: list = dataclasses.field(default_factory=list)          # addresses, one per message
    already: int = 0                                               # sent before, today, same content
    failed: list = dataclasses.field(default_factory=list)        # (address, reason), refused for good
    pending: int = 0                                               # left for the next run
    unreachable: str = ""                                          # why the server could not be used
    without_address: list = dataclasses.field(default_factory=list)  # units no one can be mailed for


# ----------------------------------------------------------------- the message

def subject_of(digest: dict, days: int, today: str) -> str:
    counts = []
    if digest["overdue"]:
        counts.append(f"{len(digest['overdue'])} kiến nghị quá hạn")
    if digest["due_soon"]:
        counts.append(f"{len(digest['due_soon'])} kiến nghị đến hạn trong {days} ngày")
    return f"Nhắc việc thực hiện kiến nghị — {digest['unit']}: {', '.join(counts)} ({format_date(today)})"


def compose(settings: MailSettings, digest: dict, days: int, today: str, host: dict,
            text: str, now: dt.datetime | None = None) -> EmailMessage:
    """One message to one host: plain text and HTML alternatives, UTF-8 throughout."""
    message = EmailMessage()
    message["Subject"] = subject_of(digest, days, today)
    message["From"] = _address(settings.sender_name, settings.sender_address)
    message["To"] = _address(host["full_name"] or host["username"], host["email"])
    message["Date"] = format_datetime(now or dt.datetime.now(dt.timezone.utc))
    message["Message-ID"] = make_msgid("nhac-viec", domain=settings.sender_address.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message["Content-Language"] = "vi"
    message.set_content(text, charset="utf-8")
    message.add_alternative(reminders.digest_html(digest, days, today, settings.base_url),
                            subtype="html", charset="utf-8")
    return message


def _address(name: str, address: str) -> Address:
    local, _at, domain = address.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


# ----------------------------------------------------------------- the connection

def connect(settings: MailSettings) -> smtplib.SMTP:
    """An SMTP session, secured as SMTP_TLS says and logged in when SMTP_USER is set."""
    context = ssl.create_default_context()
    try:
        if settings.tls == "tls":
            session = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            session = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
            if settings.tls == "starttls":
                session.starttls(context=context)
        if settings.user:
            _login(session, settings.user, settings.password)
        return session
    except (OSError, smtplib.SMTPException) as error:
        raise MailUnavailable(f"{settings.host}:{settings.port}: {_reason(error)}") from error


def _login(session: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib encodes credentials as ASCII; a password with Vietnamese letters goes
    through AUTH PLAIN in UTF-8 (RFC 4616) instead."""
    if (user + password).isascii():
        session.login(user, password)
        return
    session.ehlo_or_helo_if_needed()
    token = base64.b64encode(f"\0{user}\0{password}".encode("utf-8")).decode("ascii")
    code, response = session.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, response)


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        return f"{error.smtp_code} {text}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text.decode('utf-8', 'replace')}"
                         for code, text in error.recipients.values())
    return str(error) or type(error).__name__


def _permanent(error: BaseException) -> bool:
    """A refusal of this one message (5xx for its recipient or content), not of the server."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) and error.smtp_code >= 500


# ----------------------------------------------------------------- sending

def planned(store, user: dict, days: int, today: str, base_url: str) -> tuple[list, list]:
    """([(digest, host, text, sha256)] not yet sent today, [units without an address])."""
    hosts = store.read(sql.hosts_with_email)
    plan, lonely = [], []
    for digest in reminders.digests(store, user, days, today):
        text = reminders.digest_text(digest, days, today, base_url)
        digest_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if not hosts.get(digest["unit_id"]):
            lonely.append(digest["unit"])
        for host in hosts.get(digest["unit_id"], []):
            plan.append((digest, host, text, digest_sha))
    return plan, lonely


def send_digests(store, settings: MailSettings, user: dict, days: int, today: str | None = None) -> SendResult:
    """Send today's digests that are not sent yet; see SendResult for what happened."""
    today = today or today_vn()
    plan, lonely = planned(store, user, days, today, settings.base_url)
    result = SendResult(without_address=lonely)
    todo = []
    for entry in plan:
        digest, host, _text, digest_sha = entry
        if store.read(sql.was_sent, digest["unit_id"], today, digest_sha, host["email"]):
            result.already += 1
        else:
            todo.append(entry)
    if not todo:
        return result
    try:
        session = connect(settings)
    except MailUnavailable as error:
        result.unreachable, result.pending = str(error), len(todo)
        return result
    try:
        for index, entry in enumerate(todo):
            if not _send_one(store, session, settings, days, today, entry, result):
                result.pending = len(todo) - index
                break
    finally:
        try:
            session.quit()
        except (OSError, smtplib.SMTPException):
            session.close()
    return result


def _send_one(store, session, settings, days, today, entry, result: SendResult) -> bool:
    """Claim, send and log one message; False when the server failed (stop the run)."""
    digest, host, text, digest_sha = entry
    now = dt.datetime.now(dt.timezone.utc)
    send_id = store.write(sql.claim, unit_id=digest["unit_id"], day=today, digest_sha256=digest_sha,
                          address=host["email"], user_id=host["id"],
                          items=len(digest["overdue"]) + len(digest["due_soon"]), at=now_utc(),
                          stale_before=(now - STALE_CLAIM).isoformat(timespec="seconds"))
    if send_id is None:  # sent meanwhile by another run
        result.already += 1
        return True
    message = compose(settings, digest, days, today, host, text, now)
    try:
        session.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        store.write(sql.finish, send_id, status="failed", error=_reason(error), at=now_utc())
        if _permanent(error):
            result.failed.append((host["email"], _reason(error)))
            return True
        result.unreachable = f"{settings.host}:{settings.port}: {_reason(error)}"
        return False
    store.write(sql.finish, send_id, status="sent", message_id=message["Message-ID"], at=now_utc())
    result.sent.append(host["email"])
    return True
