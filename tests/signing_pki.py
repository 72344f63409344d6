"""A real test PKI on the loopback for the signing tests, and a real PKCS#11 token.

`TestPKI` writes RSA keys and a Certomancer configuration into a folder and serves
Certomancer's Animator (CRLs, an OCSP responder, a time-stamping authority) with
waitress on 127.0.0.1: a root CA (standing in for the national root), an issuing
CA with its OCSP responder, a TSA, and the organisation's sealing certificate.
`softhsm_token` makes a SoftHSM2 token holding a key and its certificate, with
`softhsm2-util` and `pkcs11-tool` (Debian `softhsm2`, `opensc`).
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import threading
from pathlib import Path

import pytest
import waitress
from certomancer import crypto_utils
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
ARCH = "hdnd"
ORGANISATION = "HĐND tỉnh Gia Lai"
KEYS = ("root", "interm", "interm-ocsp", "tsa", "org")


def _when(days: int) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _usage(*flags: str) -> dict:
    return {"id": "key_usage", "critical": True, "smart-value": {"schema": "key-usage", "params": list(flags)}}


def _crl_from(issuer: str) -> dict:
    return {"id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [issuer]}}}


def _config(url: str) -> dict:
    """Certomancer's configuration of the test PKI, valid from a year ago for five years."""
    validity = {"valid-from": _when(-365), "valid-to": _when(5 * 365)}
    ca = [{"id": "basic_constraints", "critical": True, "value": {"ca": True}},
          _usage("digital_signature", "key_cert_sign", "crl_sign")]
    certs = {
        "root": {"subject": "root", "issuer": "root", "validity": validity, "extensions": ca},
        "interm": {"issuer": "root", "validity": validity, "extensions": ca + [_crl_from("root")]},
        "interm-ocsp": {"issuer": "interm", "validity": validity, "extensions": [
            _usage("digital_signature"),
            {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
            {"id": "ocsp_no_check"}]},
        "tsa": {"issuer": "root", "validity": validity, "extensions": [
            _usage("digital_signature"),
            {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
            _crl_from("root")]},
        "org": {"issuer": "interm", "validity": validity, "extensions": [
            _usage("digital_signature", "non_repudiation"), _crl_from("interm"),
            {"id": "authority_information_access",
             "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["interm"]}}}]},
    }
    return {
        "external-url-prefix": url,
        "keysets": {ARCH: {"keys": {name: {"path": f"{name}.key.pem"} for name in KEYS}}},
        "pki-architectures": {ARCH: {
            "keyset": ARCH,
            "entity-defaults": {"country-name": "VN", "organization-name": "Test PKI"},
            "entities": {"root": {"common-name": "Test Root CA"},
                         "interm": {"common-name": "Test Issuing CA"},
                         "interm-ocsp": {"common-name": "Test OCSP Responder"},
                         "tsa": {"common-name": "Test Time Stamping Authority"},
                         "org": {"organization-name": ORGANISATION, "common-name": ORGANISATION}},
            "certs": certs,
            "services": {
                "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "interm-ocsp",
                                    "signing-key": "interm-ocsp"}},
                "crl-repo": {"root": {"for-issuer": "root", "signing-key": "root",
                                      "simulated-update-schedule": "P90D"},
                             "interm": {"for-issuer": "interm", "signing-key": "interm",
                                        "simulated-update-schedule": "P30D"}},
                "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
            }}},
    }


class KeepKeysLoaded(crypto_utils.PycaCryptographyBackend):
    """Certomancer's signing backend, keeping each parsed key as a real CA or TSA does.

    The stock backend parses the private key again for every CRL, OCSP answer and
    timestamp (about 120 ms for RSA 2048 with its consistency check), which would
    make the test TSA, not the app, the slow part of every measured seal.
    """

    def __init__(self):
        self._parsed = {}

    def generic_sign(self, private_key, tbs_bytes, sd_algo):
        der = private_key.dump()
        if der not in self._parsed:
            self._parsed[der] = serialization.load_der_private_key(der, password=None)
        key = self._parsed[der]
        if sd_algo.signature_algo != "rsassa_pkcs1v15" or not isinstance(key, rsa.RSAPrivateKey):
            return super().generic_sign(private_key, tbs_bytes, sd_algo)
        return key.sign(tbs_bytes, padding.PKCS1v15(), getattr(hashes, sd_algo.hash_algo.upper())())


class _Deferred:
    """The WSGI app behind the server, known only once the server's port is."""
    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


class TestPKI:
    """The test PKI's keys and certificates in `folder`, its services on 127.0.0.1."""
    __test__ = False  # not a test class, whatever its name says

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.keys = {name: rsa.generate_private_key(public_exponent=65537, key_size=2048) for name in KEYS}
        for name, key in self.keys.items():
            (self.folder / f"{name}.key.pem").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        crypto_utils.CRYPTO_BACKEND = KeepKeysLoaded()
        self._wsgi = _Deferred()
        self.server = waitress.create_server(self._wsgi, host="127.0.0.1", port=0, threads=2)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        config = CertomancerConfig(_config(self.url), key_search_dir=str(self.folder))
        self.arch = config.get_pki_arch(ARCH)
        self._wsgi.app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
        self.requests = 0
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    def certificate(self, name: str) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.arch.get_cert(name).dump())

    def pem(self, name: str) -> bytes:
        return self.certificate(name).public_bytes(serialization.Encoding.PEM)

    def organisation_p12(self, passphrase: str) -> bytes:
        """The organisation's key and certificate with the issuing CA, as a PKCS#12 file."""
        return pkcs12.serialize_key_and_certificates(
            ORGANISATION.encode(), self.keys["org"], self.certificate("org"), [self.certificate("interm")],
            serialization.BestAvailableEncryption(passphrase.encode()))

    def start(self) -> "TestPKI":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.close()
        self._thread.join(5)


def softhsm_environment(folder: Path) -> dict:
    """SOFTHSM2_CONF for a token directory of our own (set before the library is loaded)."""
    tokens = Path(folder) / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = Path(folder) / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    return {"SOFTHSM2_CONF": str(conf)}


def softhsm_token(folder: Path, token: str, label: str, pin: str,
                  key: rsa.RSAPrivateKey, cert: x509.Certificate, chain: list | None = None) -> None:
    """A new SoftHSM2 token holding `key` and `cert` under `label` (both with id 01), and
    the certificates of `chain` (as a CA's token carries its issuer's)."""
    env = {**os.environ, **softhsm_environment(folder)}
    key_file, cert_file = Path(folder) / f"{label}.key.pem", Path(folder) / f"{label}.cert.der"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.DER))

    def run(*args):
        subprocess.run(args, env=env, check=True, capture_output=True)
    run("softhsm2-util", "--init-token", "--free", "--label", token, "--pin", pin, "--so-pin", pin + "-so")
    run("softhsm2-util", "--import", str(key_file), "--token", token, "--label", label, "--id", "01",
        "--pin", pin)
    run("pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", token, "--login", "--pin", pin,
        "--write-object", str(cert_file), "--type", "cert", "--label", label, "--id", "01")
    for index, ca in enumerate(chain or [], start=2):
        ca_file = Path(folder) / f"{label}.ca{index}.der"
        ca_file.write_bytes(ca.public_bytes(serialization.Encoding.DER))
        run("pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", token, "--login", "--pin", pin,
            "--write-object", str(ca_file), "--type", "cert", "--label", f"ca-{index}", "--id", f"{index:02d}")
    key_file.unlink()  # the key lives on the token now



# ----------------------------------------------------------------- fixtures and helpers

TOKEN, TOKEN_KEY, TOKEN_PIN = "HDND Gia Lai", "dau-co-quan", "246810"
OTHER_TOKEN = "Token khac"  # only ever opened with a wrong PIN


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """The test PKI with its CRL, OCSP and TSA services on 127.0.0.1 for the whole session."""
    running = TestPKI(tmp_path_factory.mktemp("pki")).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory, pki):
    """SoftHSM2 tokens made by the test: TOKEN holds the organisation's key and certificate
    from the test PKI (and the issuing CA's certificate); OTHER_TOKEN a key of its own.
    SOFTHSM2_CONF is set for the whole session: the library reads it once per process."""
    folder = tmp_path_factory.mktemp("softhsm")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ.update(softhsm_environment(folder))
    softhsm_token(folder, TOKEN, TOKEN_KEY, TOKEN_PIN, pki.keys["org"], pki.certificate("org"),
                  chain=[pki.certificate("interm")])
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    softhsm_token(folder, OTHER_TOKEN, TOKEN_KEY, "135790", other, pki.certificate("org"))
    yield {"SIGNING_PKCS11_MODULE": SOFTHSM_MODULE, "SIGNING_PKCS11_TOKEN": TOKEN,
           "SIGNING_PKCS11_KEY": TOKEN_KEY}
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def trust(app, *pems: bytes) -> None:
    """Put root certificates into the instance's trusted folder (as an administrator would)."""
    folder = Path(app.instance_path) / "certs" / "trusted"
    folder.mkdir(parents=True, exist_ok=True)
    for index, pem in enumerate(pems):
        (folder / f"root-{index}.pem").write_bytes(pem)


class PKIProcess:
    """The test PKI served by a process of its own (for measurements: its signing work
    must not share this process's interpreter lock): `with PKIProcess(folder) as pki:`
    gives `pki.tsa_url` and `pki.root_pem`."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.process = None

    def __enter__(self) -> "PKIProcess":
        import sys
        import time
        root = Path(__file__).resolve().parent.parent
        self.process = subprocess.Popen([sys.executable, "-m", "tests.signing_pki", str(self.folder)], cwd=root,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ready = self.folder / "url"
        deadline = time.monotonic() + 60
        while not ready.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"test PKI did not start: {self.process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        self.url = ready.read_text()
        self.tsa_url = f"{self.url}/{ARCH}/tsa/tsa"
        self.root_pem = (self.folder / "root.pem").read_bytes()
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


if __name__ == "__main__":  # python -m tests.signing_pki FOLDER: serve until terminated
    import sys
    pki = TestPKI(Path(sys.argv[1]))
    (pki.folder / "root.pem").write_bytes(pki.pem("root"))
    (pki.folder / "url.tmp").write_text(pki.url)
    (pki.folder / "url.tmp").rename(pki.folder / "url")
    pki.server.run()
