"""The OpenAPI document validates and the API keeps to it: schemathesis generates requests
from the document (valid and invalid) for every operation and checks each answer against it
(no server error, declared status codes and content types, the error shape)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from nkwatch import store as store_module
from nkwatch.web.app import LOOPBACK_HOSTS, create_app
from tests.conftest import make_web_store

# The schema is loaded when the module is collected (schemathesis parametrizes from it), so the
# store behind it is built then, in a folder removed at exit.
_TMP = tempfile.TemporaryDirectory(prefix="nkwatch-openapi-")
_DB = make_web_store(Path(_TMP.name) / "api.db")
with store_module.open(str(_DB)) as _s:
    _TOKEN = _s.create_token("fuzzer")
# Schemathesis's client names the host "testserver".
_APP = create_app(str(_DB), allowed_hosts=("testserver", *LOOPBACK_HOSTS))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", _APP)


@schema.parametrize()
@settings(max_examples=30, deadline=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_the_api_keeps_to_its_openapi_document(case: Any) -> None:
    response = case.call(headers={"Authorization": f"Bearer {_TOKEN}"})
    excluded = []
    if case.operation.path.endswith(("/review", "/merge", "/split", "/campaigns")):
        # A correction must differ from the event's stored values and keep within the
        # codebook (a known type, a real day); a merge names another incident, a split events
        # of this one, a campaign existing incidents: conditions on the data that the document
        # cannot state. The endpoints answer them 400, naming the field (tested apart).
        excluded.append(positive_data_acceptance)
    if case.method == "GET":
        # A query string carries no types: "null" or "false" is a valid string, so a
        # "negative" case of a nullable parameter may be a positive one.
        excluded.append(negative_data_rejection)
    case.validate_response(response, excluded_checks=excluded)
    assert response.status_code < 500
    if response.status_code >= 400:
        body = response.json()
        assert body["ok"] is False and body["status"] == response.status_code


def test_the_openapi_document_is_valid(web_store_template: Path) -> None:
    from fastapi.testclient import TestClient
    from openapi_spec_validator import validate

    app = create_app(str(web_store_template))
    doc = TestClient(app, base_url="http://127.0.0.1").get("/api/openapi.json").json()
    validate(doc)
