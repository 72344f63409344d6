"""Sealing a final document once its drawn signatures are placed: the one sequence the
minutes and the survey report share. The organisation's certificate is checked (a
certificate that may not seal is refused, 409), the seal's visible block is filled in,
the document rendered with the block's place found, and sealed with the audit anchor."""
from __future__ import annotations

from typing import Callable

from survey_app.clock import now_utc
from survey_app.documents import signer_certificate
from survey_app.domain import audit
from survey_app.domain.errors import Conflict
from survey_app.domain.minutes import keys as minutes_keys


def seal_document(store, env, context: dict, html: Callable[[dict], str], *, reason: str,
                  location: str) -> tuple[bytes, str]:
    """(sealed PDF, the moment the seal shows) of the document `html` renders from
    `context` (which gets its "seal" block)."""
    minutes_keys.ensure_signer(env.certs, env.signing, env.organisation)
    problem = minutes_keys.certificate_problem(signer_certificate(minutes_keys.signer_for(env.certs, env.signing)))
    if problem:
        raise Conflict(problem[0], "certificate", **problem[1])
    at, name = now_utc(), minutes_keys.sealer_name(env.certs, env.signing, env.organisation)
    context["seal"] = minutes_keys.seal_context(name, at, context["short_sha"])
    pdf, placement = env.renderer(html(context), minutes_keys.SEAL_ELEMENT)
    sealed = minutes_keys.seal(env.certs, env.signing, pdf, placement, name=name, reason=reason,
                               location=location, info={audit.ANCHOR_KEY: audit.head_anchor(store)})
    return sealed, at
