"""Minutes benchmark: the seed visit's minutes through the running server against a
bare WeasyPrint render of the same HTML in this process; sealing; verifying.

Targets (issue 4): server ≤ 1.3 × bare render, seal ≤ 60 ms, verify ≤ 15 ms.
Issue 14: seal with an RFC 3161 timestamp from a TSA on the loopback and the
validation material embedded (PAdES B-LT) ≤ 150 ms, verifying it ≤ 30 ms. The
TSA, OCSP responder and CRLs are the tests' Certomancer PKI in a process of its own.
"""
from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from .instance import demo_server


def _median_ms(fn, runs: int) -> float:
    fn()  # warm-up: fonts, caches, imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _figure(name: str, value: float, unit: str, target: float | None) -> dict:
    """A measured figure; `target` None for one reported only as the base of a ratio."""
    return {"name": name, "value": round(value, 2), "unit": unit,
            "target": "-" if target is None else f"≤ {target}", "ok": target is None or value <= target}


def _in_process(folder: Path, base_url: str):
    """The draft's HTML as the server renders it, and the organisation's signer and roots."""
    os.environ["SURVEY_APP_INSTANCE"] = str(folder / "instance")
    from survey_app import create_app
    from survey_app.domain.minutes import documents as minutes_docs
    from survey_app.domain.minutes import keys as minutes_keys
    from survey_app.domain.minutes import operations as minutes_ops
    from survey_app.services import minutes_env
    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "BASE_URL": base_url})
    with app.app_context():
        env, store = minutes_env(), app.extensions["survey_store"]
        html = minutes_docs.draft_html(store, app.extensions["survey_forms"], env, minutes_ops.latest(store, 1))
        return html, minutes_keys.organisation_signer(env.certs), minutes_keys.trust_roots(env.certs)


def run(quick: bool) -> dict:
    from survey_app.documents import render_pdf, seal_pdf, verify_pdf
    runs = 3 if quick else 15
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = demo_server(folder)
        token = server.cli("token", "create", "thuky").strip()
        with server:
            server.request("/api/v1/visits/1/minutes/draft", token, "POST")
            served = _median_ms(lambda: server.request("/api/v1/visits/1/minutes.pdf", token), runs)
            html, signer, roots = _in_process(folder, server.url)
        bare = _median_ms(lambda: render_pdf(html), runs)
        pdf = render_pdf(html)
        seal = _median_ms(lambda: seal_pdf(pdf, signer, field_name="ToChuc"), runs * 2)
        sealed = seal_pdf(pdf, signer, field_name="ToChuc")
        verify = _median_ms(lambda: verify_pdf(sealed, roots), runs * 2)
        seal_lt, verify_lt = _long_term(folder / "pki", pdf, signer, roots, runs * 2)
    return {"figures": [
        _figure("minutes PDF through the server", served, "ms", None),
        _figure("bare WeasyPrint render of the same HTML", bare, "ms", None),
        _figure("server / bare render", served / bare, "×", 1.3),
        _figure("seal (PAdES, RSA 3072)", seal, "ms", 60),
        _figure("verify", verify, "ms", 15),
        _figure("seal with a loopback TSA (PAdES B-LT)", seal_lt, "ms", 150),
        _figure("verify PAdES B-LT", verify_lt, "ms", 30)]}


def _long_term(folder: Path, pdf: bytes, signer, roots: list, runs: int) -> tuple[float, float]:
    """Seal with a timestamp and embedded validation material, and verify the result."""
    from cryptography import x509

    from survey_app.documents import seal_pdf, verify_pdf
    from survey_app.documents.seal import LongTermValidation
    from tests.signing_pki import PKIProcess
    with PKIProcess(folder) as pki:
        roots = roots + [x509.load_pem_x509_certificate(pki.root_pem)]
        ltv = LongTermValidation(pki.tsa_url, roots)
        seal = _median_ms(lambda: seal_pdf(pdf, signer, field_name="ToChuc", ltv=ltv), runs)
        sealed = seal_pdf(pdf, signer, field_name="ToChuc", ltv=ltv)
    assert verify_pdf(sealed, roots).level == "B-LT"
    return seal, _median_ms(lambda: verify_pdf(sealed, roots), runs)


if __name__ == "__main__":
    print(json.dumps(run(os.environ.get("BENCH_QUICK") == "1"), ensure_ascii=False, indent=2))
