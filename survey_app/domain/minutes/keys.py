"""The organisation's signing certificate (chứng thư số của cơ quan) in the
instance folder or on a PKCS#11 token, the trust roots that verification
accepts, and the seal made with them (timestamp and long-term validation when
a timestamp authority is configured).

`certs/organisation.p12` with its passphrase in `certs/organisation.pass`
(both mode 600). Every self-signed certificate ever installed is kept in
`certs/trusted/` so PDFs sealed before a replacement still verify; a certificate
issued by a CA is trusted through the configured roots (`TRUSTED_ROOTS`, PEM files
that may carry CRLs too). A certificate that must not seal (expired, not yet valid,
not for signing, untrusted issuer) is refused at installation.
With `SIGNING_PKCS11_MODULE` set, the key on the token is used instead
(`SigningConfig`).
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import os
import secrets
import tempfile
import threading
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext

from survey_app.clock import VN_TZ
from survey_app.documents import (
    create_organisation_certificate,
    load_signer,
    seal_pdf,
    signer_certificate,
)
from survey_app.documents.seal import LongTermValidation, SealPlacement, load_pkcs11_signer
from survey_app.documents.verify import read_pem_bundle
from survey_app.domain.errors import DomainError
from survey_app.markers import N_

log = logging.getLogger(__name__)
SEAL_ELEMENT = "dau-ky-so"  # id of the visible seal in the minutes' template
TOKEN_UNUSABLE = N_("Chưa đóng dấu được biên bản: không dùng được khóa ký số của cơ quan trên thiết bị "
                    "ký số (sai mã PIN, thiếu thiết bị hoặc không tìm thấy khóa). Vui lòng báo quản trị "
                    "viên kiểm tra thiết bị ký số, rồi ký lại.")
TSA_UNREACHABLE = N_("Chưa đóng dấu được biên bản: không lấy được dấu thời gian hoặc thông tin kiểm tra "
                     "chứng thư số. Vui lòng thử lại sau ít phút; nếu vẫn lỗi, báo quản trị viên.")


class SealingUnavailable(DomainError):
    """The seal could not be made now (token or timestamp service): nothing is saved."""
    status = 503

DEFAULT_ORGANISATION = "HĐND tỉnh Gia Lai"
P12, PASS, TRUSTED = "organisation.p12", "organisation.pass", "trusted"
_signers: dict = {}
KEY_UNUSABLE = N_("Không mở được khóa ký số của cơ quan: thiếu hoặc sai mật khẩu của tệp khóa. "
                  "Vui lòng báo quản trị viên cài lại chứng thư số.")


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    os.chmod(tmp, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _trust(certs: Path, cert: x509.Certificate) -> None:
    fingerprint = cert.fingerprint(cert.signature_hash_algorithm).hex()[:32]
    path = certs / TRUSTED / f"{fingerprint}.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(cert.public_bytes(Encoding.PEM))


def ensure_certificate(certs: Path, organisation: str = DEFAULT_ORGANISATION) -> bool:
    """Create the organisation's RSA certificate when missing; True when created now."""
    certs = Path(certs)
    if (certs / P12).exists():
        return False
    passphrase = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory() as folder:
        made = create_organisation_certificate(organisation, folder, passphrase)
        install_certificate(certs, made.read_bytes(), passphrase)
    return True


NOT_SIGNING = N_("Chứng thư số không dùng để ký được (thiếu mục đích sử dụng chữ ký số hoặc chống chối bỏ); "
                 "vui lòng dùng chứng thư ký số do tổ chức cung cấp dịch vụ cấp.")
EXPIRED = N_("Chứng thư số đã hết hạn ngày %(date)s; vui lòng cài chứng thư còn hiệu lực.")
NOT_YET_VALID = N_("Chứng thư số chưa có hiệu lực (từ ngày %(date)s); vui lòng cài lại khi chứng thư có hiệu lực.")
UNTRUSTED_ISSUER = N_("Chứng thư số không được cấp bởi tổ chức có chứng thư gốc được tin cậy; vui lòng thêm chứng "
                      "thư gốc của tổ chức cung cấp dịch vụ vào danh sách chứng thư gốc (TRUSTED_ROOTS).")


def certificate_problem(cert: x509.Certificate, now: dt.datetime | None = None) -> tuple[str, dict] | None:
    """Why `cert` must not seal documents, as (message, its parameters), or None: outside
    its validity period, or without the digitalSignature / nonRepudiation key usage."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if cert.not_valid_after_utc < now:
        return EXPIRED, {"date": cert.not_valid_after_utc.strftime("%d/%m/%Y")}
    if cert.not_valid_before_utc > now:
        return NOT_YET_VALID, {"date": cert.not_valid_before_utc.strftime("%d/%m/%Y")}
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return NOT_SIGNING, {}
    if not (usage.digital_signature or usage.content_commitment):
        return NOT_SIGNING, {}
    return None


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _chains_to(cert: x509.Certificate, chain: list, certs: Path, pem_files) -> bool:
    """True when a trusted root (in `certs/trusted/` or TRUSTED_ROOTS) issued `cert`
    (through the PKCS#12's chain)."""
    roots, crls = trust_material(certs, pem_files)
    if not roots:
        return False
    context = ValidationContext(trust_roots=[_der_cert(r) for r in roots], allow_fetching=False,
                                other_certs=[_der_cert(c.public_bytes(Encoding.DER)) for c in chain],
                                crls=crls, revocation_mode="soft-fail")
    validator = CertificateValidator(_der_cert(cert.public_bytes(Encoding.DER)), validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except Exception:  # no path, a revoked or expired link: not trusted
        return False
    return True


def _der_cert(der: bytes):
    from asn1crypto import x509 as asn1_x509
    return asn1_x509.Certificate.load(der)


def check_installable(cert: x509.Certificate, chain: list, certs: Path, pem_files=()) -> None:
    """Refuse (DomainError on 'p12') a certificate that must not seal: expired, not yet
    valid, not for signing, or issued by a CA that is not among the trusted roots."""
    problem = certificate_problem(cert)
    if problem:
        raise DomainError(problem[0], "p12", **problem[1])
    if not _self_signed(cert) and not _chains_to(cert, chain, certs, pem_files):
        raise DomainError(UNTRUSTED_ISSUER, "p12")


def install(store, user: dict, certs: Path, p12: bytes, passphrase: str, trusted_roots=()) -> str:
    """`install_certificate`, then the installation in the audit trail (who, which subject)."""
    from survey_app.domain import audit
    subject = install_certificate(certs, p12, passphrase, trusted_roots)
    store.write(audit.record, user, "certificate.install", "certificate", "organisation", {"subject": subject})
    return subject


def install_certificate(certs: Path, p12: bytes, passphrase: str, trusted_roots=()) -> str:
    """Replace the signing certificate by a PKCS#12 after checking it loads and may seal
    (`check_installable`); return its subject. A self-signed certificate becomes a trust
    root of its own; a CA-issued one is trusted through the configured roots."""
    certs = Path(certs)
    with tempfile.NamedTemporaryFile(suffix=".p12") as handle:
        handle.write(p12)
        handle.flush()
        try:
            signer = load_signer(handle.name, passphrase)
        except (ValueError, TypeError) as error:
            log.warning("PKCS#12 refused: %s", error)  # the library's text, for the administrator
            raise DomainError(N_("Không mở được tệp chứng thư số (.p12): mật khẩu không đúng hoặc tệp không chứa "
                                 "khóa RSA. Vui lòng kiểm tra mật khẩu và chọn đúng tệp .p12 của cơ quan."),
                              "p12") from None
    cert = signer_certificate(signer)
    chain = pkcs12.load_key_and_certificates(p12, passphrase.encode("utf-8"))[2]
    check_installable(cert, chain, certs, trusted_roots)
    if _self_signed(cert):
        _trust(certs, cert)
    _write_private(certs / PASS, passphrase.encode("utf-8"))
    _write_private(certs / P12, p12)
    _signers.clear()
    return cert.subject.rfc4514_string()


@dataclasses.dataclass(frozen=True)
class SigningConfig:
    """The SIGNING_* configuration: where the key is, and how seals are timestamped."""
    pkcs11_module: str = ""
    pkcs11_token: str = ""
    pkcs11_key: str = ""
    pkcs11_pin: str = dataclasses.field(default="", repr=False)
    pkcs11_pin_file: str = ""  # absolute, or relative to the instance folder
    tsa_url: str = ""
    document_timestamp: bool = False

    @property
    def on_token(self) -> bool:
        return bool(self.pkcs11_module)

    def pin(self) -> str | None:
        """SIGNING_PKCS11_PIN, else the first line of SIGNING_PKCS11_PIN_FILE, else None."""
        if self.pkcs11_pin:
            return self.pkcs11_pin
        if self.pkcs11_pin_file:
            return Path(self.pkcs11_pin_file).read_text(encoding="utf-8").strip()
        return None

    @classmethod
    def from_config(cls, config, instance: Path) -> "SigningConfig":
        pin, pin_file = config.get("SIGNING_PKCS11_PIN"), config.get("SIGNING_PKCS11_PIN_FILE")
        return cls(pkcs11_module=config.get("SIGNING_PKCS11_MODULE") or "",
                   pkcs11_token=config.get("SIGNING_PKCS11_TOKEN") or "",
                   pkcs11_key=config.get("SIGNING_PKCS11_KEY") or "",
                   pkcs11_pin="" if pin in (None, "") else str(pin),  # a numeric PIN arrives as a number
                   pkcs11_pin_file=str(Path(instance) / pin_file) if pin_file else "",
                   tsa_url=config.get("SIGNING_TSA_URL") or "",
                   document_timestamp=bool(config.get("SIGNING_DOCUMENT_TIMESTAMP")))


_token_signers: dict = {}
_token_lock = threading.RLock()  # one PKCS#11 session, used by one thread at a time


def token_signer(signing: SigningConfig):
    """The signer of the key on the token (its session opened once, then kept)."""
    key = (signing.pkcs11_module, signing.pkcs11_token, signing.pkcs11_key)
    with _token_lock:
        if key not in _token_signers:
            try:
                _token_signers[key] = load_pkcs11_signer(*key, signing.pin())
            except Exception:
                log.exception("PKCS#11 token %r, key %r: cannot load the signer", key[1], key[2])
                raise SealingUnavailable(TOKEN_UNUSABLE, "token") from None
        return _token_signers[key]


def forget_token_signers() -> None:
    """Close the token sessions (a token pulled out and back in needs new ones)."""
    with _token_lock:
        for signer in _token_signers.values():
            try:
                signer.pkcs11_session.close()
            except Exception:  # a session of a token already gone
                log.warning("closing a PKCS#11 session failed", exc_info=True)
        _token_signers.clear()


def signer_for(certs: Path, signing: SigningConfig | None = None):
    """The organisation's signer: on the token when one is configured, else the key on disk."""
    if signing is not None and signing.on_token:
        return token_signer(signing)
    return organisation_signer(certs)


def ensure_signer(certs: Path, signing: SigningConfig | None, organisation: str = DEFAULT_ORGANISATION) -> None:
    """A key to seal with: the token's when configured, else the key on disk (made when missing)."""
    if signing is None or not signing.on_token:
        ensure_certificate(certs, organisation)


def _common_name(cert: x509.Certificate) -> str | None:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else None


def sealer_name(certs: Path, signing: SigningConfig | None, organisation: str) -> str:
    """Who seals, as the certificate names it (its common name), else the organisation."""
    cert = signer_certificate(signer_for(certs, signing))
    return _common_name(cert) or organisation


def seal_context(name: str, at: str, code: str) -> dict:
    """What the visible seal shows: who sealed, when (Vietnam time), the verification code."""
    moment = dt.datetime.fromisoformat(at).astimezone(VN_TZ)
    return {"element_id": SEAL_ELEMENT, "name": name, "code": code,
            "at": f"{moment:%H:%M:%S} ngày {moment:%d/%m/%Y} (GMT+7)"}


_validations: dict = {}


def long_term_validation(certs: Path, signing: SigningConfig | None) -> LongTermValidation | None:
    """The seal's timestamp and validation settings, kept while the TSA and the trusted
    roots stay the same (its timestamper remembers the size of the TSA's tokens)."""
    if signing is None or not signing.tsa_url:
        return None
    roots = trust_roots(certs)
    key = (signing.tsa_url, signing.document_timestamp, tuple(r.fingerprint(hashes.SHA256()) for r in roots))
    if key not in _validations:
        _validations.clear()
        _validations[key] = LongTermValidation(signing.tsa_url, roots, document_timestamp=signing.document_timestamp)
    return _validations[key]


def seal(certs: Path, signing: SigningConfig | None, pdf: bytes, placement, *,
         reason: str, location: str, name: str, info: dict[str, str] | None = None) -> bytes:
    """The PDF sealed with the organisation's key; `placement` is `(page, box)` of the
    visible seal or None. Raises SealingUnavailable when the token or the timestamp
    service fails (nothing is sealed)."""
    signer = signer_for(certs, signing)
    where = SealPlacement(*placement) if placement else None
    try:
        with _token_lock if signing is not None and signing.on_token else contextlib.nullcontext():
            return seal_pdf(pdf, signer, field_name="ToChuc", reason=reason, location=location,
                            signer_name=name, placement=where, ltv=long_term_validation(certs, signing),
                            info=info)
    except SealingUnavailable:
        raise
    except Exception as error:
        log.exception("sealing failed")
        if signing is not None and signing.on_token and _is_pkcs11_error(error):
            forget_token_signers()
            raise SealingUnavailable(TOKEN_UNUSABLE, "token") from None
        if signing is not None and signing.tsa_url:
            raise SealingUnavailable(TSA_UNREACHABLE, "timestamp") from None
        raise


def _is_pkcs11_error(error: Exception) -> bool:
    return type(error).__module__.startswith(("pkcs11", "pyhanko.sign.pkcs11")) or \
        "PKCS11" in type(error).__name__


def organisation_signer(certs: Path):
    """The loaded signer of the key on disk (cached until the file changes)."""
    path = Path(certs) / P12
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _signers:
        try:
            signer = load_signer(path, (Path(certs) / PASS).read_bytes())
        except (FileNotFoundError, ValueError, TypeError):  # no passphrase file, or a wrong one
            raise SealingUnavailable(KEY_UNUSABLE) from None
        _signers.clear()
        _signers[key] = signer
    return _signers[key]


def trust_roots(certs: Path) -> list[x509.Certificate]:
    folder = Path(certs) / TRUSTED
    return [x509.load_pem_x509_certificate(p.read_bytes()) for p in sorted(folder.glob("*.pem"))]


def configured_roots(pem_files) -> tuple[list[bytes], list[bytes]]:
    """(certificates, CRLs) as DER from the configured PEM files (TRUSTED_ROOTS), e.g. the
    national root CA and its revocation list; a missing or unreadable file is an error."""
    certs, crls = [], []
    for name in pem_files or ():
        try:
            found = read_pem_bundle(Path(name).read_bytes())
        except (OSError, ValueError) as error:
            log.warning("trusted root %s unreadable: %s", name, error)
            raise DomainError(N_("Không đọc được tệp chứng thư gốc %(name)s. Vui lòng kiểm tra tệp này trong cấu "
                                 "hình chứng thư gốc tin cậy."), "TRUSTED_ROOTS", name=name) from None
        certs += found[0]
        crls += found[1]
    return certs, crls


def trust_material(certs: Path, pem_files=()) -> tuple[list[bytes], list[bytes]]:
    """The roots verification trusts (every certificate installed here, and the configured
    roots) and the CRLs it knows, all as DER bytes (they cross into a worker process)."""
    roots, crls = configured_roots(pem_files)
    own = [c.public_bytes(Encoding.DER) for c in trust_roots(certs)]
    return own + roots, crls


def current_subject(certs: Path, signing: SigningConfig | None = None) -> str | None:
    """The subject of the certificate that seals: the token's when one is configured
    (raises SealingUnavailable when it cannot be used), else the one on disk."""
    if signing is not None and signing.on_token:
        return signer_certificate(token_signer(signing)).subject.rfc4514_string()
    if not (Path(certs) / P12).exists():
        return None
    try:
        return signer_certificate(organisation_signer(certs)).subject.rfc4514_string()
    except SealingUnavailable:  # the page offers to install one again
        return None


def export_key(certs: Path, passphrase: str) -> bytes | None:
    """The organisation's key and certificate as a PKCS#12 encrypted with `passphrase`
    (for a backup); None when no key is kept in the instance folder."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    certs = Path(certs)
    if not (certs / P12).exists():
        return None
    key, cert, extra = pkcs12.load_key_and_certificates((certs / P12).read_bytes(), (certs / PASS).read_bytes())
    return pkcs12.serialize_key_and_certificates(b"organisation", key, cert, extra,
                                                 BestAvailableEncryption(passphrase.encode("utf-8")))


def add_trust_roots(certs: Path, pems: list[bytes]) -> int:
    """Trust these certificates too (a restore brings back every certificate that sealed)."""
    for pem in pems:
        _trust(Path(certs), x509.load_pem_x509_certificate(pem))
    return len(pems)
