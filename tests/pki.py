"""A small test PKI made with `cryptography`: a root CA, certificates it issues (valid,
expired, not yet valid, not for signing), self-signed ones, CRLs, PKCS#12 files."""
from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

DAY = dt.timedelta(days=1)
CRL_URL = "http://127.0.0.1:9/ca.crl"
_keys: list = []


def key() -> rsa.RSAPrivateKey:
    """RSA 2048 keys, made once each and reused (generation is the slow part)."""
    _keys.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _keys[-1]


def name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, common),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def usage(signing: bool = True, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=signing, key_encipherment=not signing,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def certificate(subject: str, subject_key, issuer: x509.Certificate | None = None, issuer_key=None, *,
                start: dt.timedelta = -DAY, end: dt.timedelta = 365 * DAY, signing: bool = True,
                ca: bool = False) -> x509.Certificate:
    """`subject`'s certificate, self-signed without `issuer`; validity relative to now."""
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(name(subject)).issuer_name(issuer.subject if issuer else name(subject))
               .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now + start).not_valid_after(now + end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(usage(signing, ca), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False))
    if issuer is not None:
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                                        critical=False)
        # Where the CA publishes its CRL: the validator checks revocation of certificates
        # that name one (nothing is fetched: the tests hand the CRL over).
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(issuer_key or subject_key, hashes.SHA256())


def root_ca(subject: str = "CA gốc thử nghiệm") -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    ca_key = key()
    return certificate(subject, ca_key, start=-10 * DAY, end=3650 * DAY, signing=True, ca=True), ca_key


def crl(ca: x509.Certificate, ca_key, revoked: list[x509.Certificate]) -> x509.CertificateRevocationList:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject)
               .last_update(now - DAY).next_update(now + 30 * DAY))
    for cert in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
            .revocation_date(now - DAY).build())
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                                    critical=False).add_extension(x509.CRLNumber(1), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def pem(*items) -> bytes:
    return b"".join(item.public_bytes(serialization.Encoding.PEM) for item in items)


def p12(cert: x509.Certificate, cert_key, passphrase: str = "mat-khau", chain=()) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"to-chuc", cert_key, cert, list(chain) or None,
        serialization.BestAvailableEncryption(passphrase.encode()))
