"""The organisation's key on a PKCS#11 token (issue 14.1): a real SoftHSM2 token made
by the test holds the key and its CA-issued certificate; minutes are sealed through
the app with it and verified with pyHanko. A wrong PIN refuses the seal and saves
nothing; without SIGNING_PKCS11_MODULE the key on disk stays the default."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from survey_app.documents import verify_pdf
from survey_app.documents.seal import OrganisationSigner
from survey_app.domain.minutes import keys as minutes_keys
from survey_app.storage import minutes as minutes_sql

from .conftest import login, make_app
from .signing_pki import OTHER_TOKEN, TOKEN, TOKEN_PIN, trust
from .support import sign_all, signature_b64


def _app(tmp_path, demo_instance, **config):
    shutil.copytree(demo_instance, tmp_path / "instance")
    return make_app(tmp_path, **config)


@pytest.fixture
def sessions():
    """Every token session this test opened is closed after it (SoftHSM keeps a login per process)."""
    yield
    minutes_keys.forget_token_signers()


def _client_and_headers(app):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    token = app.test_cli_runner().invoke(args=["token", "create", "thuky"]).output.strip()
    return client, {"Authorization": f"Bearer {token}"}


def _visit(app) -> int:
    from survey_app.demo import seed_document
    from survey_app.storage import visits as visits_sql
    return app.extensions["survey_store"].read(visits_sql.get_visit_by_uuid, seed_document()["uuid"])["id"]


def test_minutes_are_sealed_with_the_key_on_the_token(tmp_path, demo_instance, softhsm, pki, sessions):
    (tmp_path / "pin").mkdir()
    (tmp_path / "pin" / "token.pin").write_text(TOKEN_PIN + "\n")
    app = _app(tmp_path, demo_instance, **softhsm, SIGNING_PKCS11_PIN_FILE=str(tmp_path / "pin" / "token.pin"))
    trust(app, pki.pem("root"))
    client, headers = _client_and_headers(app)
    visit = _visit(app)
    assert client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True}).status_code == 200
    assert [a["sealed"] for a in sign_all(client, headers, visit)] == [False, False, True]
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data

    certs = Path(app.instance_path) / "certs"
    assert not (certs / minutes_keys.P12).exists()  # the disk key was neither made nor used
    embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(embedded) == 1
    assert embedded[0].signer_cert.serial_number == pki.certificate("org").serial_number
    carried = {c.chosen.serial_number for c in embedded[0].signed_data["certificates"]}
    assert pki.certificate("interm").serial_number in carried  # the chain came from the token
    result = verify_pdf(pdf, minutes_keys.trust_roots(certs))
    assert result.valid and result.signatures[0]["trusted"], result
    assert "HĐND tỉnh Gia Lai" in result.signatures[0]["signer"]
    assert not verify_pdf(pdf, []).valid  # trusted only through the configured root
    api = client.post("/api/v1/verify", data=pdf, headers={**headers, "Content-Type": "application/pdf"})
    assert api.get_json()["valid"] and api.get_json()["visit_id"] == visit
    assert login(client, "admin").status_code == 302  # the administrator sees which key seals
    page = client.get("/admin/certificate").get_data(as_text=True)
    assert "PKCS#11" in page and TOKEN in page and "HĐND tỉnh Gia Lai" in page
    app.extensions["survey_store"].close()


def test_the_pin_can_come_from_the_environment(tmp_path, demo_instance, softhsm, pki, sessions, monkeypatch):
    # SURVEY_APP_* values are parsed as JSON: a numeric PIN arrives as a number
    monkeypatch.setenv("SURVEY_APP_SIGNING_PKCS11_PIN", TOKEN_PIN)
    app = _app(tmp_path, demo_instance, **softhsm)
    trust(app, pki.pem("root"))
    client, headers = _client_and_headers(app)
    visit = _visit(app)
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    assert sign_all(client, headers, visit)[-1]["sealed"]
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    assert verify_pdf(pdf, minutes_keys.trust_roots(Path(app.instance_path) / "certs")).valid
    app.extensions["survey_store"].close()


@pytest.mark.parametrize("pin", [{"SIGNING_PKCS11_PIN": "000000"},
                                 {"SIGNING_PKCS11_PIN_FILE": "no-such-pin-file"}])
def test_a_token_that_cannot_be_used_refuses_the_seal_and_saves_nothing(
        tmp_path, demo_instance, softhsm, sessions, pin):
    app = _app(tmp_path, demo_instance, **dict(softhsm, SIGNING_PKCS11_TOKEN=OTHER_TOKEN), **pin)
    client, headers = _client_and_headers(app)
    visit = _visit(app)
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    url = f"/api/v1/visits/{visit}/minutes/signatures"
    for role in ("head", "secretary"):
        assert client.post(url, json={"role": role, "name": "A", "image": signature_b64()},
                           headers=headers).status_code == 201
    last = client.post(url, json={"role": "host", "name": "Trần Văn Hùng", "image": signature_b64()},
                       headers=headers)
    assert last.status_code == 503
    body = last.get_json()
    assert body["field"] == "token" and "thiết bị ký số" in body["error"] and "Vui lòng" in body["error"]
    store = app.extensions["survey_store"]
    minutes = store.read(minutes_sql.latest_version, visit)
    assert minutes["status"] == "final" and minutes["signed_pdf_sha256"] is None
    assert sorted(s["role"] for s in store.read(minutes_sql.signatures_of, minutes["id"])) == ["head", "secretary"]
    assert not (Path(app.instance_path) / "certs" / minutes_keys.P12).exists()
    assert login(client, "admin").status_code == 302
    page = client.get("/admin/certificate")
    assert page.status_code == 200 and "thiết bị ký số" in page.get_data(as_text=True)
    store.close()


def test_without_a_token_the_key_on_disk_seals(tmp_path):
    certs = tmp_path / "certs"
    signing = minutes_keys.SigningConfig.from_config({"SIGNING_PKCS11_MODULE": ""}, tmp_path)
    minutes_keys.ensure_signer(certs, signing)
    assert (certs / minutes_keys.P12).exists()
    assert isinstance(minutes_keys.signer_for(certs, signing), OrganisationSigner)
