"""Certificates checked (issue 15 finding 8, issue 14 item 4): an expired, not yet
valid, non-signing or untrusted-issuer certificate is refused at installation (domain,
the certificate page, the CLI) and nothing changes; an installed certificate that has
expired since is refused at the seal; verification says plainly when a signer's
certificate is expired, not yet valid, revoked (CRL from TRUSTED_ROOTS) or not from a
trusted root. Real certificates and CRLs from a test PKI, real pyHanko."""
from __future__ import annotations

import io
import shutil

import pytest

from survey_app.documents import seal_pdf, verify_pdf
from survey_app.documents import verify as pdf_verify
from survey_app.documents.seal import OrganisationSigner
from survey_app.domain.errors import DomainError
from survey_app.domain.minutes import keys as minutes_keys

from . import pki
from .conftest import csrf_token, make_app
from .test_minutes_documents import seed_pdf  # noqa: F401  (fixture)
from .support import signature_b64

pytestmark = pytest.mark.usefixtures("installed_certs")

DAY = pki.DAY


@pytest.fixture(scope="module")
def ca():
    return pki.root_ca()


@pytest.fixture(scope="module")
def leaf_key():
    return pki.key()


def issued(ca, leaf_key, **validity):
    root, root_key = ca
    return pki.certificate("Văn phòng HĐND tỉnh", leaf_key, root, root_key, **validity)


def sealed_by(pdf: bytes, cert, cert_key) -> bytes:
    return seal_pdf(pdf, OrganisationSigner(cert_key, cert), field_name="ToChuc", reason="Biên bản",
                    location="Hra", signer_name="Văn phòng HĐND tỉnh")


# ----------------------------------------------------------------- installation

@pytest.mark.parametrize("validity, words", [
    ({"start": -800 * DAY, "end": -400 * DAY}, "đã hết hạn ngày"),
    ({"start": 10 * DAY, "end": 400 * DAY}, "chưa có hiệu lực"),
    ({"signing": False}, "không dùng để ký được"),
])
def test_a_certificate_that_must_not_seal_is_refused_and_nothing_changes(tmp_path, leaf_key, validity, words):
    certs = tmp_path / "certs"
    minutes_keys.install_certificate(certs, pki.p12(pki.certificate("Tốt", leaf_key), leaf_key), "mat-khau")
    before = {p.name: p.read_bytes() for p in certs.rglob("*") if p.is_file()}
    bad = pki.p12(pki.certificate("Xấu", leaf_key, **validity), leaf_key)
    with pytest.raises(DomainError) as refused:
        minutes_keys.install_certificate(certs, bad, "mat-khau")
    assert words in refused.value.message and refused.value.field == "p12"
    assert {p.name: p.read_bytes() for p in certs.rglob("*") if p.is_file()} == before


def test_a_ca_issued_certificate_needs_its_root_among_the_trusted_roots(tmp_path, ca, leaf_key):
    certs, roots = tmp_path / "certs", tmp_path / "goc.pem"
    roots.write_bytes(pki.pem(ca[0]))
    good = pki.p12(issued(ca, leaf_key), leaf_key, chain=[ca[0]])
    with pytest.raises(DomainError) as refused:
        minutes_keys.install_certificate(certs, good, "mat-khau")
    assert "không được cấp bởi tổ chức có chứng thư gốc được tin cậy" in refused.value.message
    assert not (certs / minutes_keys.P12).exists()
    subject = minutes_keys.install_certificate(certs, good, "mat-khau", [str(roots)])
    assert "Văn phòng HĐND tỉnh" in subject and (certs / minutes_keys.P12).exists()
    assert minutes_keys.trust_roots(certs) == []  # trusted through the configured root, not as a root itself


def test_the_certificate_page_and_the_cli_refuse_an_expired_certificate(app, login_as, runner, tmp_path, leaf_key):
    expired = pki.p12(pki.certificate("Hết hạn", leaf_key, start=-800 * DAY, end=-400 * DAY), leaf_key)
    certs = tmp_path / "instance" / "certs"
    before = (certs / minutes_keys.P12).read_bytes()
    client = login_as("admin")
    page = client.post("/admin/certificate", data={"csrf_token": csrf_token(client, "/admin/certificate"),
                                                   "p12": (io.BytesIO(expired), "het-han.p12"),
                                                   "passphrase": "mat-khau"}, content_type="multipart/form-data")
    assert page.status_code == 400 and "đã hết hạn ngày" in page.get_data(as_text=True)
    (tmp_path / "het-han.p12").write_bytes(expired)
    (tmp_path / "pass").write_text("mat-khau")
    result = runner.invoke(args=["certificate", "install", str(tmp_path / "het-han.p12"),
                                 "--passphrase-file", str(tmp_path / "pass")])
    assert result.exit_code == 2 and "đã hết hạn ngày" in result.output
    assert (certs / minutes_keys.P12).read_bytes() == before
    (tmp_path / "tot.p12").write_bytes(pki.p12(pki.certificate("Còn hạn", leaf_key), leaf_key))
    installed = runner.invoke(args=["certificate", "install", str(tmp_path / "tot.p12"),
                                    "--passphrase-file", str(tmp_path / "pass")])
    assert installed.exit_code == 0 and "Còn hạn" in installed.output


def test_a_certificate_expired_since_installation_does_not_seal(app, client, token, visit, tmp_path, leaf_key):  # noqa: F811
    certs = tmp_path / "instance" / "certs"
    expired = pki.p12(pki.certificate("Hết hạn", leaf_key, start=-800 * DAY, end=-1 * DAY), leaf_key)
    (certs / minutes_keys.P12).write_bytes(expired)  # as if it had expired after installation
    (certs / minutes_keys.PASS).write_bytes(b"mat-khau")
    headers = token()
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    url = f"/api/v1/visits/{visit}/minutes/signatures"
    for role in ("head", "secretary"):
        assert client.post(url, json={"role": role, "name": "A", "image": signature_b64()},
                           headers=headers).status_code == 201
    refused = client.post(url, json={"role": "host", "name": "B", "image": signature_b64()}, headers=headers)
    assert refused.status_code == 409 and "đã hết hạn ngày" in refused.get_json()["error"]
    assert client.get(f"/api/v1/visits/{visit}/minutes", headers=headers).get_json()["versions"][0]["status"] == "final"
    assert app.extensions["survey_store"].db.execute("SELECT count(*) FROM minutes_signatures").fetchone()[0] == 2


# ----------------------------------------------------------------- verification

def test_verification_names_the_certificate_problem(seed_pdf, ca, leaf_key):  # noqa: F811
    root, root_key = ca
    good = issued(ca, leaf_key)
    cases = {
        None: (sealed_by(seed_pdf, good, leaf_key), [root], []),
        pdf_verify.REVOKED: (sealed_by(seed_pdf, good, leaf_key), [root], [pki.crl(root, root_key, [good])]),
        pdf_verify.EXPIRED: (sealed_by(seed_pdf, issued(ca, leaf_key, start=-400 * DAY, end=-10 * DAY), leaf_key),
                             [root], []),
        pdf_verify.NOT_YET_VALID: (sealed_by(seed_pdf, issued(ca, leaf_key, start=10 * DAY, end=400 * DAY),
                                             leaf_key), [root], []),
        pdf_verify.UNTRUSTED: (sealed_by(seed_pdf, good, leaf_key), [pki.root_ca("CA khác")[0]], []),
    }
    from cryptography.hazmat.primitives.serialization import Encoding
    for problem, (pdf, roots, crls) in cases.items():
        result = verify_pdf(pdf, roots, [c.public_bytes(Encoding.DER) for c in crls])
        [signature] = result.signatures
        assert result.intact and signature["certificate_problem"] == problem, (problem, signature)
        assert result.valid is (problem is None), problem


def test_the_page_api_and_cli_say_a_certificate_was_revoked(tmp_path, demo_instance, seed_pdf, ca, leaf_key):  # noqa: F811
    root, root_key = ca
    good = issued(ca, leaf_key)
    bundle = tmp_path / "goc-va-crl.pem"
    bundle.write_bytes(pki.pem(root, pki.crl(root, root_key, [good])))
    shutil.copytree(demo_instance, tmp_path / "own" / "instance")
    app = make_app(tmp_path / "own", TRUSTED_ROOTS=[str(bundle)])
    try:
        pdf = sealed_by(seed_pdf, good, leaf_key)
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        from survey_app.domain.accounts import operations as accounts
        headers = {"Authorization": f"Bearer {accounts.create_token(app.extensions['survey_store'], 'xem')}"}
        body = client.post("/api/v1/verify", data=pdf, headers=headers).get_json()
        assert not body["valid"] and body["signers"][0]["certificate_problem"] == "revoked"
        page = client.post("/verify", data={"csrf_token": csrf_token(client, "/verify"),
                                            "file": (io.BytesIO(pdf), "bb.pdf")},
                           content_type="multipart/form-data").get_data(as_text=True)
        assert "Chứng thư số của người ký đã bị thu hồi." in page
        (tmp_path / "bb.pdf").write_bytes(pdf)
        result = app.test_cli_runner().invoke(args=["verify", str(tmp_path / "bb.pdf")])
        assert result.exit_code == 1 and "đã bị thu hồi" in result.output
    finally:
        app.extensions["survey_store"].close()
