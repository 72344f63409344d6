"""The public verification cannot be frozen (issue 15, findings 3 and 14): a PDF with
too many signatures or revisions is refused before any signature is validated; a
verification runs in a worker process that is killed when it runs too long; at most
VERIFY_WORKERS run at once (others wait briefly, then 503 with Retry-After); each
address is rate-limited (429, Vietnamese); `?code=` needs the full verification code."""
from __future__ import annotations

import io
import shutil
import threading
import time
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from survey_app.documents import seal_pdf, signer_certificate, verify_pdf
from survey_app.documents import verify as pdf_verify
from survey_app.documents import workers
from survey_app.domain.minutes import keys as minutes_keys

from .conftest import csrf_token, make_app
from .test_minutes_documents import seed_pdf, signer, visit_document  # noqa: F401  (fixtures)
from .support import sign_all

pytestmark = pytest.mark.usefixtures("installed_certs")


def own_app(folder, demo_instance, **config):
    """An app with its own configuration on a copy of the demo instance."""
    shutil.copytree(demo_instance, folder / "instance")
    return make_app(folder, **config)


@pytest.fixture(scope="module")
def sealed_pdf(seed_pdf, signer):  # noqa: F811
    return seal_pdf(seed_pdf, signer, field_name="ToChuc", reason="Biên bản", location="Hra",
                    signer_name="HĐND tỉnh Gia Lai")


@pytest.fixture(scope="module")
def many_signatures(sealed_pdf, signer):  # noqa: F811
    """Eleven signatures, one over the cap of ten (each an incremental update)."""
    pdf = sealed_pdf
    for n in range(10):
        pdf = seal_pdf(pdf, signer, field_name=f"Them{n}", reason="x", location="x", signer_name="x")
    return pdf


def with_revisions(pdf: bytes, count: int) -> bytes:
    """`count` harmless incremental updates (the Info dictionary rewritten each time)."""
    for n in range(count):
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        info = writer._info.get_object()
        info["/Keywords"] = generic.TextStringObject(f"cap-nhat-{n}")
        writer.update_container(info)
        out = BytesIO()
        writer.write(out)
        pdf = out.getvalue()
    return pdf


def test_a_pdf_with_too_many_signatures_is_refused_without_validating_any(many_signatures, signer):  # noqa: F811
    result = verify_pdf(many_signatures, [signer_certificate(signer)])
    assert result.refused == pdf_verify.TOO_MANY_SIGNATURES and not result.valid
    assert result.validated == 0 and result.signatures == []
    allowed = verify_pdf(many_signatures, [signer_certificate(signer)], limits=pdf_verify.Limits(signatures=11))
    assert allowed.refused is None and allowed.validated == 11 and allowed.valid


def test_a_pdf_with_too_many_revisions_is_refused_without_validating_any(sealed_pdf, signer):  # noqa: F811
    updated = with_revisions(sealed_pdf, 20)
    result = verify_pdf(updated, [signer_certificate(signer)])
    assert result.refused == pdf_verify.TOO_MANY_REVISIONS and result.validated == 0
    within = verify_pdf(with_revisions(sealed_pdf, 2), [signer_certificate(signer)])
    assert within.refused is None and within.validated == 1 and within.modified_after_signing


def test_api_and_page_refuse_too_many_signatures_with_a_clear_message(client, token, many_signatures):  # noqa: F811
    answer = client.post("/api/v1/verify", data=many_signatures, headers=token())
    assert answer.status_code == 400 and answer.get_json()["field"] == "file"
    assert "quá nhiều chữ ký số (tối đa 10)" in answer.get_json()["error"]
    page = client.post("/verify", data={"csrf_token": csrf_token(client, "/verify"),
                                        "file": (io.BytesIO(many_signatures), "bb.pdf")},
                       content_type="multipart/form-data")
    assert page.status_code == 400 and "quá nhiều chữ ký số (tối đa 10)" in page.get_data(as_text=True)


def test_a_job_that_runs_too_long_has_its_worker_killed_and_the_next_job_runs():
    pool = workers.WorkerPool(1)
    try:
        assert pool.run(abs, (-3,), timeout=60, wait=5) == 3
        [first] = pool._idle
        with pytest.raises(workers.JobTimedOut):
            pool.run(time.sleep, (600,), timeout=0.5, wait=5)
        assert pool.killed == 1 and not first.process.is_alive()
        assert pool.run(abs, (-4,), timeout=60, wait=5) == 4  # a fresh worker
    finally:
        pool.close()


def _occupy(pool: workers.WorkerPool) -> threading.Thread:
    """Keep the pool's only worker busy until `pool.close()` kills it."""
    thread = threading.Thread(target=lambda: _swallow(pool.run, time.sleep, (600,), timeout=900, wait=5))
    thread.start()
    for _ in range(6000):
        if pool.running == pool.size:
            return thread
        time.sleep(0.01)
    raise AssertionError("the job never started")


def _swallow(function, *args, **kwargs):
    try:
        function(*args, **kwargs)
    except (workers.JobFailed, workers.JobTimedOut, OSError):
        pass


def test_pool_refuses_beyond_its_size_after_a_short_wait():
    pool = workers.WorkerPool(1)
    thread = _occupy(pool)
    try:
        with pytest.raises(workers.PoolBusy):
            pool.run(abs, (-1,), timeout=5, wait=0.1)
    finally:
        pool.close()
        thread.join()
    assert pool.running == 0


def test_busy_verifiers_answer_503_with_retry_after(tmp_path, demo_instance, sealed_pdf):
    app = own_app(tmp_path / "busy", demo_instance, VERIFY_WORKERS=1, VERIFY_QUEUE_WAIT=0.1)
    pool = workers.shared_pool(1)
    thread = _occupy(pool)
    try:
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        with app.app_context():
            from survey_app.domain.accounts import operations as accounts
            headers = {"Authorization": f"Bearer {accounts.create_token(app.extensions['survey_store'], 'xem')}"}
        answer = client.post("/api/v1/verify", data=sealed_pdf, headers=headers)
        assert answer.status_code == 503 and answer.headers["Retry-After"]
        assert "vui lòng thử lại" in answer.get_json()["error"]
    finally:
        pool.close()
        thread.join()
        app.extensions["survey_store"].close()
    assert pool.run(abs, (-2,), timeout=60, wait=5) == 2  # usable again
    pool.close()


@pytest.fixture
def limited(tmp_path, demo_instance):
    app = own_app(tmp_path / "limited", demo_instance, VERIFY_RATE_LIMIT="3 per minute")
    yield app
    app.extensions["survey_store"].close()


def test_each_address_is_rate_limited_with_a_vietnamese_429(limited):
    client = limited.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    for _ in range(3):
        assert client.get("/verify?code=000000000000").status_code == 200
    refused = client.get("/verify?code=000000000000")
    assert refused.status_code == 429 and refused.headers.get("Retry-After")
    assert "quá nhiều yêu cầu xác thực" in refused.get_data(as_text=True)
    assert client.get("/verify").status_code == 200  # opening the page is not a check
    other = limited.test_client()
    other.environ_base.update({"wsgi.url_scheme": "https", "REMOTE_ADDR": "10.0.0.9"})
    assert other.get("/verify?code=000000000000").status_code == 200  # another address has its own count
    from survey_app.domain.accounts import operations as accounts
    headers = {"Authorization": f"Bearer {accounts.create_token(limited.extensions['survey_store'], 'xem')}"}
    statuses = [client.post("/api/v1/verify", data=b"not a pdf", headers=headers).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    last = client.post("/api/v1/verify", data=b"not a pdf", headers=headers)
    assert last.status_code == 429 and "quá nhiều yêu cầu xác thực" in last.get_json()["error"]


def test_the_code_must_be_whole_and_unknown_codes_reveal_nothing(client, token, visit):  # noqa: F811
    headers = token()
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    sign_all(client, headers, visit)
    full = client.get(f"/api/v1/visits/{visit}/minutes", headers=headers).get_json()["versions"][0]["content_sha256"]
    for code in (full[:12], full, full[:12].upper()):
        page = client.get(f"/verify?code={code}").get_data(as_text=True)
        assert "UBND xã Hra" in page and "Đinh Ly An" in page, code
    answers = set()
    for code in (full[:6], full[:11], full[:13], full[:63], "0" * 12, "zz" * 6):
        page = client.get(f"/verify?code={code}").get_data(as_text=True)
        assert "UBND xã Hra" not in page and "Đinh Ly An" not in page and "Ban Pháp chế" not in page.split("<main")[-1]
        section = page.split('id="code-result"', 1)[1].split("</section>", 1)[0]
        answers.add(section)
    assert len(answers) == 1  # the same answer whatever the wrong code


def test_the_sealed_minutes_still_verify_in_a_worker(client, token, visit, app):  # noqa: F811
    headers = token()
    client.post(f"/api/v1/visits/{visit}/minutes/finalize", headers=headers, json={"confirm": True})
    sign_all(client, headers, visit)
    pdf = client.get(f"/api/v1/visits/{visit}/minutes.pdf", headers=headers).data
    body = client.post("/api/v1/verify", data=pdf, headers=headers).get_json()
    assert body["valid"] and body["signers"][0]["certificate_problem"] is None
    roots, _ = minutes_keys.trust_material(f"{app.instance_path}/certs")
    assert verify_pdf(pdf, roots).validated == 1
