"""Gzip for text answers (pages, CSS, scripts, JSON) when the client accepts it: the
tablet's first load over a congested commune network is mostly text that shrinks
five- to tenfold. Files already compressed (photos, PDF) are left alone."""
from __future__ import annotations

import gzip

from flask import Flask, request

TEXT_TYPES = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
              "application/manifest+json", "image/svg+xml"}
MIN_BYTES = 500


def init_app(app: Flask) -> None:
    app.after_request(compress)


def compress(response):
    if not _worth_compressing(response):
        return response
    response.direct_passthrough = False  # files sent by send_file are read here once
    data = response.get_data()
    if len(data) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag:  # the bytes changed: the validator may only claim equivalence
        response.set_etag(etag, weak=True)
    return response


def _worth_compressing(response) -> bool:
    return (response.status_code == 200 and response.mimetype in TEXT_TYPES
            and "Content-Encoding" not in response.headers
            and "gzip" in request.headers.get("Accept-Encoding", "").lower()
            and request.method != "HEAD")
