"""uvicorn's access log never carries a person's identifier: consent paths and ``subject=``."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from steward.api.access_log import RedactIdentifiers


def _record(path: str) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                             '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5", "GET", path, "1.1", 200),
                             None)


def _installed(app: FastAPI) -> RedactIdentifiers:
    found = [f for f in logging.getLogger("uvicorn.access").filters
             if isinstance(f, RedactIdentifiers)]
    assert len(found) == 1  # one filter, however many apps a process builds
    return found[0]


def test_identifiers_are_replaced_and_route_names_kept(app: FastAPI) -> None:
    redact = _installed(app)
    cases = {
        "/api/v1/consent/alice%40example.com?purpose=email_marketing":
            "/api/v1/consent/{subject}?purpose=email_marketing",
        "/api/v1/consent/bob@x.com/check?system_id=3":
            "/api/v1/consent/{subject}/check?system_id=3",
        "/api/v1/consent/purposes": "/api/v1/consent/purposes",
        "/api/v1/consent/receipts/12": "/api/v1/consent/receipts/12",
        "/consent?subject=carol%40x.com&tab=1": "/consent?subject={subject}&tab=1",
        "/api/v1/systems/4": "/api/v1/systems/4",
    }
    for path, shown in cases.items():
        record = _record(path)
        assert redact.filter(record)
        assert record.getMessage() == f'127.0.0.1:5 - "GET {shown} HTTP/1.1" 200'
