"""Reminders that reach people: `remind --send` e-mails each unit's digest to its hosts
through a real SMTP server on the loopback (aiosmtpd); the log keeps a digest from
reaching an address twice a day; a server that is down fails the run clearly and a
later run sends what is pending. Also: users' e-mail addresses, digest file names."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.domain.accounts import operations as accounts
from survey_app.domain.errors import DomainError
from survey_app.domain.followup import operations as followup
from survey_app.clock import today_vn
from survey_app.cli.commands import CLI_USER
from survey_app.domain.followup import mail, reminders
from survey_app.storage import accounts as accounts_sql
from survey_app.storage import reminder_mail as mail_sql

from . import mailserver
from .conftest import csrf_token, make_app
from .support import hra_rec, seed_recs, user

BASE = "https://theodoi.hdnd.gialai.gov.vn"
SENDER = "Ban Pháp chế HĐND tỉnh Gia Lai <bpc@hdnd.gialai.gov.vn>"
HRA = "UBND xã Hra"
CENTRE = "Trung tâm Phục vụ hành chính công xã Hra"
EX_TEMPFAIL = 75


@pytest.fixture
def port():
    return mailserver.free_port()


@pytest.fixture
def mail_app(tmp_path, demo_instance, port):
    """The demo instance, its mail configured for a server on `port`, two hosts with addresses."""
    shutil.copytree(demo_instance, tmp_path / "instance")
    app = make_app(tmp_path, SMTP_HOST=mailserver.HOST, SMTP_PORT=port, SMTP_TLS="none",
                   MAIL_FROM=SENDER, BASE_URL=BASE)
    store = app.extensions["survey_store"]
    accounts.set_email(store, "xahra", "Xahra@Hra.GiaLai.gov.vn")
    result = app.test_cli_runner().invoke(args=[
        "create-user", "--username", "trungtam", "--password", "trungtam-2025", "--role", "host",
        "--unit", CENTRE, "--full-name", "Nguyễn Thị Lan", "--email", "lan.nt@hra.gialai.gov.vn"])
    assert result.exit_code == 0, result.output
    yield app
    store.close()


@pytest.fixture
def inbox(port):
    box = mailserver.Inbox()
    controller = mailserver.start(box, port)
    yield box
    controller.stop()


def send(app, *extra):
    return app.test_cli_runner().invoke(args=["remind", "--send", "--days", "30", *extra])


def items_of(store, unit_name):
    return {r["item_id"] for r in seed_recs(store) if r["unit_name"] == unit_name}


def test_each_host_gets_the_digest_of_their_unit_in_vietnamese_with_links(mail_app, inbox):
    store = mail_app.extensions["survey_store"]
    result = send(mail_app)
    assert result.exit_code == 0, result.output
    assert "Đã gửi 2 thư nhắc việc" in result.output
    by_to = {m["To"].addresses[0].addr_spec: m for m in inbox.messages}
    assert set(by_to) == {"Xahra@hra.gialai.gov.vn", "lan.nt@hra.gialai.gov.vn"}
    for address, unit in (("Xahra@hra.gialai.gov.vn", HRA), ("lan.nt@hra.gialai.gov.vn", CENTRE)):
        message = by_to[address]
        assert message["From"].addresses[0].display_name == "Ban Pháp chế HĐND tỉnh Gia Lai"
        assert message["From"].addresses[0].addr_spec == "bpc@hdnd.gialai.gov.vn"
        assert str(message["Subject"]).startswith(f"Nhắc việc thực hiện kiến nghị — {unit}: ")
        assert "kiến nghị quá hạn" in str(message["Subject"])
        assert message["Auto-Submitted"] == "auto-generated" and message["Message-ID"]
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text.get_content_charset() == html.get_content_charset() == "utf-8"
        assert f"NHẮC VIỆC THỰC HIỆN KIẾN NGHỊ — {unit}" in text.get_content()
        assert unit in html.get_content() and "Đã quá hạn" in html.get_content()
        ids = items_of(store, unit)
        assert ids
        for item_id in ids:
            link = f"{BASE}/followup/r/{item_id}"
            assert link in text.get_content() and f'href="{link}"' in html.get_content()
        linked = {int(i) for i in re.findall(r"/followup/r/(\d+)", text.get_content())}
        assert linked == ids  # only the unit's own recommendations
    hra_names = by_to["Xahra@hra.gialai.gov.vn"]["To"].addresses[0].display_name
    assert hra_names == user(store, "xahra")["full_name"]
    log = store.read(mail_sql.sends)
    assert sorted((row["status"], row["address"]) for row in log) == sorted(("sent", a) for a in by_to)
    assert all(row["message_id"] and row["items"] > 0 for row in log)


def test_the_wire_carries_encoded_headers_and_an_ascii_envelope(mail_app, inbox):
    assert send(mail_app).exit_code == 0
    raw = inbox.envelopes[0].content
    head = raw.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # RFC 5322 headers: Vietnamese only as encoded words
    assert re.search(rb"^Subject: =\?utf-8\?", head, re.M | re.I)
    assert inbox.envelopes[0].mail_from == "bpc@hdnd.gialai.gov.vn"


def test_a_second_run_the_same_day_sends_nothing_and_a_changed_digest_is_sent(mail_app, inbox):
    store = mail_app.extensions["survey_store"]
    assert send(mail_app).exit_code == 0 and len(inbox.envelopes) == 2
    again = send(mail_app)
    assert again.exit_code == 0, again.output
    assert "Đã gửi 0 thư nhắc việc; 2 thư đã gửi hôm nay" in again.output
    assert len(inbox.envelopes) == 2
    followup.report_progress(store, user(store, "xahra"), hra_rec(store)["item_id"], status="in_progress",
                             note="Đang lắp đặt thiết bị")
    changed = send(mail_app)
    assert changed.exit_code == 0 and "Đã gửi 1 thư" in changed.output
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages[2:]] == ["Xahra@hra.gialai.gov.vn"]
    assert "Đang thực hiện" in inbox.messages[2].get_body(("plain",)).get_content()
    assert len(store.read(mail_sql.sends)) == 3


def test_server_down_fails_clearly_and_a_later_run_sends_what_is_pending(mail_app, port):
    store = mail_app.extensions["survey_store"]
    down = send(mail_app)
    assert down.exit_code == EX_TEMPFAIL
    assert "không gửi được thư nhắc việc" in down.output and f"{mailserver.HOST}:{port}" in down.output
    assert "Còn 2 thư chưa gửi" in down.output and "chạy lại" in down.output
    assert store.read(mail_sql.sends) == []
    box = mailserver.Inbox()
    controller = mailserver.start(box, port)
    try:
        later = send(mail_app)
        assert later.exit_code == 0, later.output
        assert len(box.envelopes) == 2
        assert send(mail_app).exit_code == 0 and len(box.envelopes) == 2
    finally:
        controller.stop()


def test_a_temporary_refusal_midway_leaves_the_rest_pending_for_the_next_run(mail_app, port):
    store = mail_app.extensions["survey_store"]
    box = mailserver.Inbox(fail_data_from=2)
    controller = mailserver.start(box, port)
    try:
        first = send(mail_app)
        assert first.exit_code == EX_TEMPFAIL and "451" in first.output and "Còn 1 thư" in first.output
        assert len(box.envelopes) == 1
        statuses = sorted(row["status"] for row in store.read(mail_sql.sends))
        assert statuses == ["failed", "sent"]
        box.fail_data_from = None
        second = send(mail_app)
        assert second.exit_code == 0 and "Đã gửi 1 thư" in second.output
        assert {m["To"].addresses[0].addr_spec for m in box.messages} == {
            "Xahra@hra.gialai.gov.vn", "lan.nt@hra.gialai.gov.vn"}
    finally:
        controller.stop()


def test_a_refused_address_is_reported_and_the_others_are_sent(mail_app, port):
    box = mailserver.Inbox(refuse={"lan.nt@hra.gialai.gov.vn"})
    controller = mailserver.start(box, port)
    try:
        result = send(mail_app)
        assert result.exit_code == 1
        assert "từ chối gửi tới lan.nt@hra.gialai.gov.vn" in result.output and "550" in result.output
        assert [m["To"].addresses[0].addr_spec for m in box.messages] == ["Xahra@hra.gialai.gov.vn"]
    finally:
        controller.stop()


def test_starttls_with_login_and_implicit_tls(mail_app, port, tmp_path, monkeypatch):
    cert, key = mailserver.certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # the test's authority, trusted like a system one
    box = mailserver.Inbox()
    controller = mailserver.start(box, port, tls_context=mailserver.server_context(cert, key),
                                  require_starttls=True, auth_required=True,
                                  authenticator=mailserver.login_checker("nhacviec", "mật-khẩu-thư"))
    mail_app.config.update(SMTP_TLS="starttls", SMTP_USER="nhacviec", SMTP_PASSWORD="mật-khẩu-thư")
    try:
        result = send(mail_app)
        assert result.exit_code == 0, result.output
        assert len(box.envelopes) == 2
        mail_app.config.update(SMTP_PASSWORD="sai")
        store = mail_app.extensions["survey_store"]
        accounts.set_email(store, "xahra", "xahra.moi@hra.gialai.gov.vn")
        wrong = send(mail_app)
        assert wrong.exit_code == EX_TEMPFAIL and "535" in wrong.output
    finally:
        controller.stop()
    tls_port = mailserver.free_port()
    box = mailserver.Inbox()
    controller = mailserver.start(box, tls_port, ssl_context=mailserver.server_context(cert, key))
    mail_app.config.update(SMTP_TLS="tls", SMTP_PORT=tls_port, SMTP_USER="")
    try:
        result = send(mail_app)
        assert result.exit_code == 0, result.output
        assert [m["To"].addresses[0].addr_spec for m in box.messages] == ["xahra.moi@hra.gialai.gov.vn"]
    finally:
        controller.stop()


def test_an_untrusted_certificate_is_refused(mail_app, port, tmp_path):
    cert, key = mailserver.certificate(tmp_path)  # not made trusted
    box = mailserver.Inbox()
    controller = mailserver.start(box, port, tls_context=mailserver.server_context(cert, key),
                                  require_starttls=True)
    mail_app.config.update(SMTP_TLS="starttls")
    try:
        result = send(mail_app)
        assert result.exit_code == EX_TEMPFAIL and "CERTIFICATE_VERIFY_FAILED" in result.output
        assert box.envelopes == []
    finally:
        controller.stop()


@pytest.mark.parametrize("config, key", [
    ({"SMTP_HOST": ""}, "SMTP_HOST"), ({"SMTP_TLS": "ssl3"}, "SMTP_TLS"),
    ({"SMTP_PORT": 70000}, "SMTP_PORT"), ({"MAIL_FROM": "không phải địa chỉ"}, "MAIL_FROM"),
    ({"MAIL_FROM": "a@b.vn\r\nBcc: x@y.vn"}, "MAIL_FROM")])
def test_missing_or_wrong_settings_exit_2_naming_the_key(mail_app, inbox, config, key):
    mail_app.config.update(config)
    result = send(mail_app)
    assert result.exit_code == 2 and key in result.output
    assert inbox.envelopes == [] and mail_app.extensions["survey_store"].read(mail_sql.sends) == []


def test_units_without_an_address_are_named(mail_app, inbox):
    store = mail_app.extensions["survey_store"]
    accounts.set_email(store, "trungtam", "")
    result = send(mail_app)
    assert result.exit_code == 0 and len(inbox.envelopes) == 1
    assert "Chưa có địa chỉ thư của đại diện đơn vị" in result.output and CENTRE in result.output


# ----------------------------------------------------------------- addresses

@pytest.mark.parametrize("text", [
    "khong-a-cong", "a@b", "a b@c.vn", "a@@c.vn", "@c.vn", "a@c..vn", "a@-c.vn", "a.@c.vn",
    "a@c.vn\r\nBcc: x@y.vn", "a@c.vn\nX: y", "a@1.2.3.4", "a" * 65 + "@c.vn", "a@" + "b" * 64 + ".vn",
    "nguyễn@c.vn"])
def test_malformed_addresses_are_refused_naming_the_field(text):
    with pytest.raises(DomainError) as refused:
        accounts.valid_email(text)
    assert refused.value.field == "email" and "thư điện tử" in refused.value.message


def test_good_addresses_are_kept_with_the_domain_in_lower_case():
    assert accounts.valid_email("  Lan.NT+nhacviec@HRA.GiaLai.gov.vn ") == "Lan.NT+nhacviec@hra.gialai.gov.vn"
    assert accounts.valid_email("ban@hđnd.vn") == "ban@xn--hnd-vqa.vn" and b"xn--hnd-vqa".decode("idna") == "hđnd"
    assert accounts.valid_email("") == ""


def test_create_user_refuses_a_malformed_address_and_creates_nothing(runner, store):
    result = runner.invoke(args=["create-user", "--username", "xa2", "--password", "xa2-2025-abc",
                                 "--role", "host", "--unit", HRA, "--email", "xa2 @hra"])
    assert result.exit_code == 2 and "Địa chỉ thư điện tử không hợp lệ" in result.output
    assert store.read(accounts_sql.get_user_by_username, "xa2") is None


def test_admin_user_form_takes_and_checks_the_address(login_as, store):
    client = login_as("admin")
    data = {"username": "xa3", "password": "xa3-2025-abc", "role": "host", "unit": HRA,
            "csrf_token": csrf_token(client, "/admin/users")}
    refused = client.post("/admin/users", data={**data, "email": "xa3@hra"})
    assert refused.status_code == 400
    assert "Địa chỉ thư điện tử không hợp lệ" in refused.get_data(as_text=True)
    assert store.read(accounts_sql.get_user_by_username, "xa3") is None
    made = client.post("/admin/users", data={**data, "email": "xa3@hra.gialai.gov.vn"})
    assert made.status_code == 302
    assert store.read(accounts_sql.get_user_by_username, "xa3")["email"] == "xa3@hra.gialai.gov.vn"
    assert "xa3@hra.gialai.gov.vn" in client.get("/admin/users").get_data(as_text=True)


# ----------------------------------------------------------------- digest files

def test_digest_files_are_named_by_unit(runner, tmp_path):
    out = tmp_path / "nhac-viec"
    result = runner.invoke(args=["remind", "--days", "30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["nhac-viec-trung-tam-phuc-vu-hanh-chinh-cong-xa-hra.html",
                     "nhac-viec-trung-tam-phuc-vu-hanh-chinh-cong-xa-hra.txt",
                     "nhac-viec-ubnd-xa-hra.html", "nhac-viec-ubnd-xa-hra.txt"]
    assert HRA in (out / "nhac-viec-ubnd-xa-hra.txt").read_text(encoding="utf-8")


def test_two_units_with_one_slug_keep_apart():
    stems = reminders.file_stems([{"unit_id": 4, "unit": "UBND xã Ia Hrú"},
                                  {"unit_id": 9, "unit": "UBND Xã Ia Hru"},
                                  {"unit_id": 5, "unit": "Đồn Biên phòng"}])
    assert stems == {4: "nhac-viec-ubnd-xa-ia-hru-4", 9: "nhac-viec-ubnd-xa-ia-hru-9",
                     5: "nhac-viec-don-bien-phong"}


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=80) | st.emails())
def test_any_text_is_either_a_clean_address_or_a_refusal(text):
    try:
        address = accounts.valid_email(text)
    except DomainError as refused:
        assert refused.field == "email"
        return
    assert address == "" or (address.isascii() and address.isprintable() and address.count("@") == 1
                             and " " not in address)


# ----------------------------------------------------------------- the log

def test_a_send_claimed_by_another_run_is_not_sent_again_but_a_stale_claim_is(mail_app, inbox):
    store = mail_app.extensions["survey_store"]
    plan, _lonely = mail.planned(store, CLI_USER, 30, today_vn(), BASE)
    digest, host, _text, digest_sha = next(p for p in plan if p[1]["username"] == "trungtam")
    claim = {"unit_id": digest["unit_id"], "day": today_vn(), "digest_sha256": digest_sha,
             "address": host["email"], "user_id": host["id"], "items": 1}
    fresh = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    assert store.write(mail_sql.claim, **claim, at=fresh, stale_before="2000-01-01") is not None
    result = send(mail_app)
    assert result.exit_code == 0 and "Đã gửi 1 thư nhắc việc; 1 thư đã gửi hôm nay" in result.output
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages] == ["Xahra@hra.gialai.gov.vn"]
    # the other run died mid-send: after 15 minutes its claim no longer holds
    store.write(lambda db: db.execute("UPDATE reminder_mail SET at = '2000-01-01T00:00:00+00:00' "
                                      "WHERE status = 'sending'"))
    later = send(mail_app)
    assert later.exit_code == 0 and "Đã gửi 1 thư" in later.output
    assert inbox.messages[-1]["To"].addresses[0].addr_spec == "lan.nt@hra.gialai.gov.vn"
    assert sorted(r["status"] for r in store.read(mail_sql.sends)) == ["failed", "sent", "sent"]


def test_set_email_gives_an_existing_host_an_address_and_refuses_a_bad_one(runner, store):
    result = runner.invoke(args=["set-email", "xaiahru", "Ke.Toan@IaHru.GiaLai.gov.vn"])
    assert result.exit_code == 0, result.output
    assert store.read(accounts_sql.get_user_by_username, "xaiahru")["email"] == "Ke.Toan@iahru.gialai.gov.vn"
    bad = runner.invoke(args=["set-email", "xaiahru", "ke toan@iahru"])
    assert bad.exit_code == 2 and "Địa chỉ thư điện tử không hợp lệ" in bad.output
    assert store.read(accounts_sql.get_user_by_username, "xaiahru")["email"] == "Ke.Toan@iahru.gialai.gov.vn"
    assert runner.invoke(args=["set-email", "khongco", "a@b.vn"]).exit_code == 2
    assert runner.invoke(args=["set-email", "xaiahru", ""]).exit_code == 0
    assert store.read(accounts_sql.get_user_by_username, "xaiahru")["email"] == ""
