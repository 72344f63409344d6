"""The organisation's signing certificate and the PAdES seal on the minutes' PDF.

The seal is a PAdES baseline signature added as an incremental update, so an
already-sealed file keeps its earlier signatures valid: B-B by default; B-LT
(an RFC 3161 timestamp, and the certificates and OCSP/CRL answers embedded in
the same revision) with a `LongTermValidation`; B-LTA when that also asks for a
document timestamp. The key is in a PKCS#12 file (`load_signer`) or on a
PKCS#11 token (`load_pkcs11_signer`). Keys are RSA: an ECDSA signature makes
pyHanko raise the file to PDF 2.0, which PDF/A-3 forbids.

A visible seal is drawn by the document itself (text in the page, fonts
embedded by WeasyPrint, so PDF/A holds); `SealPlacement` puts the signature
field's widget over it, with an empty appearance of its own.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import re
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko.stamp import NoOpStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1, translate_pyca_cryptography_key_to_asn1,
)
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

KEY_SIZE = 3072
VALIDITY_DAYS = 3652
# id-kp-documentSigning (RFC 9336)
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "organisation"


def _certificate(org_name: str, key: rsa.RSAPrivateKey) -> x509.Certificate:
    """A self-signed, CA-style certificate for signing documents, valid 10 years."""
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
                      x509.NameAttribute(NameOID.COMMON_NAME, org_name)])
    now = dt.datetime.now(dt.timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=VALIDITY_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING,
                                                  ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                           critical=False)
            .sign(key, hashes.SHA256()))


def create_organisation_certificate(org_name: str, directory, passphrase: bytes | str) -> Path:
    """Make an RSA key and self-signed certificate; write them as a PKCS#12 file (mode 0600)."""
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    cert = _certificate(org_name, key)
    data = pkcs12.serialize_key_and_certificates(
        org_name.encode("utf-8"), key, cert, None,
        serialization.BestAvailableEncryption(secret))
    path = Path(directory) / f"{_slug(org_name)}.p12"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


class OrganisationSigner(signers.SimpleSigner):
    """A SimpleSigner that keeps its RSA key loaded.

    pyHanko's SimpleSigner re-parses the private key on every signature, and
    once more for the size estimate: about 140 ms each with a 3072-bit key.
    """

    def __init__(self, private_key: rsa.RSAPrivateKey, certificate: x509.Certificate):
        cert = translate_pyca_cryptography_cert_to_asn1(certificate)
        # The registry is for the rest of the chain: pyHanko embeds the signing
        # certificate anyway, and again if it is registered (1.2 kB twice).
        super().__init__(signing_key=translate_pyca_cryptography_key_to_asn1(private_key),
                         signing_cert=cert, cert_registry=SimpleCertificateStore())
        self._private_key = private_key
        self._reserved: int | None = None

    def reserved_size(self) -> int:
        """Bytes of the PDF's /Contents placeholder for this signer's CMS, worked out once.

        Left to itself, pyHanko builds a whole dummy CMS on every seal to size the
        placeholder (about a third of the sealing time). The size only depends on the
        certificate and the digest, so one dry run gives it; as pyHanko's "tight"
        estimate does, twice the DER length (the PDF holds it as hex), plus a margin
        of zero padding, which PDF readers ignore.
        """
        if self._reserved is None:
            cms = asyncio.run(self.async_sign(
                bytes(32), "sha256", use_pades=True, dry_run=True,
                signed_attr_settings=PdfCMSSignedAttributes(signing_time=dt.datetime.now(dt.timezone.utc))))
            self._reserved = 2 * len(cms.dump()) + 64
        return self._reserved

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run:  # only the length matters when pyHanko sizes the placeholder
            return bytes(self._private_key.key_size // 8)
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        return self._private_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


def load_signer(p12_path, passphrase: bytes | str) -> OrganisationSigner:
    """The signer of a PKCS#12 file; raises ValueError on a wrong passphrase or a non-RSA key."""
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    key, cert, _ = pkcs12.load_key_and_certificates(Path(p12_path).read_bytes(), secret)
    if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
        raise ValueError(f"{p12_path} does not hold an RSA key and its certificate")
    return OrganisationSigner(key, cert)


def signer_certificate(signer: signers.SimpleSigner) -> x509.Certificate:
    """The signer's certificate as a `cryptography` object (a trust root for verify)."""
    return x509.load_der_x509_certificate(signer.signing_cert.dump())


def _align_producer(writer: IncrementalPdfFileWriter, extra: dict[str, str] | None = None) -> None:
    """Give the Info dictionary the Producer pyHanko writes into the XMP, and the
    `extra` entries of the sealed revision.

    pyHanko appends itself to Info /Producer but replaces XMP pdf:Producer;
    PDF/A needs both to be equal, so the Info entry is set to the same value.
    """
    info = writer._info.get_object() if writer._info is not None else None
    if info is not None:
        info["/Producer"] = generic.TextStringObject(VENDOR)
        for key, value in (extra or {}).items():
            info[generic.NameObject(key)] = generic.TextStringObject(value)
        writer.update_container(info)


def load_pkcs11_signer(module: str, token: str, key_label: str, pin: str | None):
    """The signer of a key on a PKCS#11 token (USB token, HSM), with the certificate
    stored beside it under the same label and every other certificate on the token
    (the issuing CA's) for the chain. The session stays open as long as the signer
    lives. Raises pyHanko's or python-pkcs11's errors for a missing module, token or
    key, or a wrong PIN."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11
    session = pkcs11.open_pkcs11_session(module, token_criteria=TokenCriteria(label=token), user_pin=pin)
    try:
        signer = pkcs11.PKCS11Signer(session, key_label=key_label, cert_label=key_label,
                                     other_certs_to_pull=None)
        asyncio.run(signer.ensure_objects_loaded())  # fail now, not at the first seal
    except BaseException:
        session.close()
        raise
    return signer


@dataclasses.dataclass(frozen=True)
class SealPlacement:
    """Where the visible seal is: a 0-based page index and a box in PDF points
    (lower-left x, y, upper-right x, y)."""
    page: int
    box: tuple[float, float, float, float]


class LongTermValidation:
    """What makes a seal verifiable in the long term: an RFC 3161 timestamp from the
    TSA at `tsa_url`, and the validation material (the chain up to one of
    `trust_roots`, OCSP answers or CRLs fetched now) embedded with the signature
    (PAdES B-LT); with `document_timestamp`, a document timestamp over all of it
    (B-LTA).

    HTTP goes through `requests` (its TLS context is built once per process;
    pyHanko's aiohttp clients build one per call, about 0.1 s each).
    """

    def __init__(self, tsa_url: str, trust_roots: list, *, document_timestamp: bool = False,
                 timeout: float = 10):
        self.tsa_url = tsa_url
        self.trust_roots = [translate_pyca_cryptography_cert_to_asn1(c) if isinstance(c, x509.Certificate)
                            else c for c in trust_roots]
        self.document_timestamp = document_timestamp
        self.timeout = timeout
        self.timestamper = RequestsHTTPTimeStamper(tsa_url, timeout=timeout)
        self._token_reserve: int | None = None

    def token_reserve(self) -> int:
        """Bytes of the /Contents placeholder that the timestamp token adds, worked out
        once from a first answer of the TSA (which pyHanko keeps): twice its DER length
        (hex) plus room for its attribute's wrapping and a token that comes out longer
        (serial numbers and times vary by a few bytes)."""
        if self._token_reserve is None:
            token = asyncio.run(self.timestamper.async_dummy_response("sha256"))
            self._token_reserve = 2 * (len(token.dump()) + 64) + 512
        return self._token_reserve

    def validation_context(self) -> ValidationContext:
        """A new context for each seal, so the revocation answers embedded are fresh."""
        return ValidationContext(trust_roots=self.trust_roots, allow_fetching=True,
                                 fetcher_backend=RequestsFetcherBackend(per_request_timeout=self.timeout),
                                 revocation_mode="hard-fail")

    def metadata(self) -> dict:
        """The PdfSignatureMetadata settings of a B-LT (or B-LTA) seal."""
        return {"embed_validation_info": True, "validation_context": self.validation_context(),
                "use_pades_lta": self.document_timestamp,
                # the DSS goes into the signature's own revision: B-LT in one revision,
                # so nothing but a document timestamp ever follows the seal
                "dss_settings": DSSContentSettings(include_vri=False,
                                                   placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE)}


def seal_pdf(pdf_bytes: bytes, signer: signers.Signer, *, field_name: str,
             reason: str = "", location: str = "", signer_name: str | None = None,
             placement: SealPlacement | None = None, ltv: LongTermValidation | None = None,
             info: dict[str, str] | None = None) -> bytes:
    """Add a PAdES signature to `pdf_bytes` as an incremental update; return the new bytes.

    With `placement`, the signature field's widget covers the seal drawn on that page
    (and keeps an empty appearance); with `ltv`, the seal is timestamped and carries its
    validation material; `info` entries ("/Key": text) go into the document information
    of the sealed revision, so the seal covers them."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    _align_producer(writer, info or {})
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason or None, location=location or None,
        name=signer_name, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        tight_size_estimates=ltv is None,  # no timestamp: the CMS size is exact
        **(ltv.metadata() if ltv else {}))
    if placement is not None:
        # made here rather than by the signer, so the widget gets an empty appearance
        # stream (PDF/A wants one on every widget), which NoOpStampStyle then keeps
        fields.append_signature_field(writer, fields.SigFieldSpec(
            field_name, on_page=placement.page, box=placement.box, empty_field_appearance=False))
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=ltv.timestamper if ltv else None,
                                   stamp_style=NoOpStampStyle() if placement is not None else None)
    output = BytesIO()
    reserved = None  # pyHanko's estimate: a whole dummy CMS made first
    if isinstance(signer, OrganisationSigner):
        reserved = signer.reserved_size() + (ltv.token_reserve() if ltv else 0)
    pdf_signer.sign_pdf(writer, output=output, bytes_reserved=reserved)
    return output.getvalue()
