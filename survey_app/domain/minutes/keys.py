"""The organisation's signing certificate (chứng thư số của cơ quan) in the
instance folder, and the trust roots that verification accepts.

`certs/organisation.p12` with its passphrase in `certs/organisation.pass`
(both mode 600); every certificate ever installed is kept in `certs/trusted/`
so PDFs sealed before a replacement still verify.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from survey_app.markers import N_
from survey_app.documents import (
    create_organisation_certificate,
    load_signer,
    signer_certificate,
)
from survey_app.domain.errors import DomainError

DEFAULT_ORGANISATION = "HĐND tỉnh Gia Lai"
P12, PASS, TRUSTED = "organisation.p12", "organisation.pass", "trusted"
_signers: dict = {}


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


def install_certificate(certs: Path, p12: bytes, passphrase: str) -> str:
    """Replace the signing certificate by a PKCS#12 after checking it loads; return its subject."""
    certs = Path(certs)
    with tempfile.NamedTemporaryFile(suffix=".p12") as handle:
        handle.write(p12)
        handle.flush()
        try:
            signer = load_signer(handle.name, passphrase)
        except (ValueError, TypeError) as error:
            raise DomainError(N_("Tệp PKCS#12 không dùng được (sai mật khẩu hoặc không phải khóa RSA): %(error)s"),
                              "p12", error=str(error)[:220]) from None
    cert = signer_certificate(signer)
    _trust(certs, cert)
    _write_private(certs / PASS, passphrase.encode("utf-8"))
    _write_private(certs / P12, p12)
    _signers.clear()
    return cert.subject.rfc4514_string()


def organisation_signer(certs: Path):
    """The loaded signer (cached until the file changes)."""
    path = Path(certs) / P12
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _signers:
        _signers.clear()
        _signers[key] = load_signer(path, (Path(certs) / PASS).read_bytes())
    return _signers[key]


def trust_roots(certs: Path) -> list[x509.Certificate]:
    folder = Path(certs) / TRUSTED
    return [x509.load_pem_x509_certificate(p.read_bytes()) for p in sorted(folder.glob("*.pem"))]


def current_subject(certs: Path) -> str | None:
    if not (Path(certs) / P12).exists():
        return None
    return signer_certificate(organisation_signer(certs)).subject.rfc4514_string()
