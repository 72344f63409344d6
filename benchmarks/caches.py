"""The module-level caches that remain, each measured with and without itself (issue 20:
a cache stays only if a figure shows it is needed).

- `domain/forms/library._parse_stored`: a published form's TOML parsed once per content
  hash; without it every `forms.get` / `for_new_visit` / listing parses every
  published form again (a page asks several times).
- `documents/verify` trust roots (cache removed): parsing them and preparing their
  Vietnamese names at each verification is ~1% of the verification.
- `checklists/wtf.form_class` (cache removed): the price of one build, per call.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

FORMS = Path(__file__).resolve().parent.parent / "forms"


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _figure(name: str, value: float, unit: str = "ms") -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit, "target": "-", "ok": True}


def _forms(runs: int) -> list[dict]:
    from survey_app.checklists import load_forms, parse_form
    from survey_app.checklists.canonical import to_toml
    from survey_app.checklists.wtf import form_class
    from survey_app.domain.forms import library
    source = to_toml(load_forms(FORMS).get("tram-y-te-xa"))  # as a publication keeps it
    spec = parse_form(source, "tram-y-te-xa.toml")
    parse = library._parse_stored
    parse.cache_clear()
    parse(spec.content_hash, spec.id, source)
    cached = _median_ms(lambda: parse(spec.content_hash, spec.id, source), runs * 20)
    bare = _median_ms(lambda: parse.__wrapped__(spec.content_hash, spec.id, source), runs)
    return [_figure("published form, parse per call (no cache)", bare),
            _figure("published form, cached", cached),
            _figure("WTForms class built per call (form_class, no cache)",
                    _median_ms(lambda: form_class(spec), runs))]


def _roots(runs: int) -> list[dict]:
    """Verification parses the trust roots at each call (the cache it had was removed):
    that part, a root parsed and its names prepared, against the whole verification."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from survey_app.documents import render_pdf, seal_pdf, verify_pdf
    from survey_app.documents.verify import asn1_x509
    from survey_app.domain.minutes import keys as minutes_keys
    with tempfile.TemporaryDirectory() as tmp:
        certs = Path(tmp) / "certs"
        minutes_keys.ensure_certificate(certs)
        signer, roots = minutes_keys.organisation_signer(certs), minutes_keys.trust_roots(certs)
        sealed = seal_pdf(render_pdf("<p>Biên bản làm việc</p>"), signer, field_name="ToChuc")
        verify_pdf(sealed, roots)
        whole = _median_ms(lambda: verify_pdf(sealed, roots), runs)
        ders = [root.public_bytes(Encoding.DER) for root in roots]

        def parse_roots():
            for der in ders:
                cert = asn1_x509.Certificate.load(der)
                cert.subject.hashable, cert.issuer.hashable  # the names' Unicode preparation
        part = _median_ms(parse_roots, runs * 20)
    return [_figure("verify (trust roots parsed at each call, no cache)", whole),
            _figure("of which: parsing the trust roots and preparing their names", part)]


def run(quick: bool) -> dict:
    runs = 5 if quick else 25
    return {"figures": _forms(runs) + _roots(runs)}


if __name__ == "__main__":
    for figure in run(False)["figures"]:
        print(f"{figure['name']}: {figure['value']} {figure['unit']}")
