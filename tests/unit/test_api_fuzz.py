"""schemathesis against /openapi.json: generated requests for every operation, no server error and no
response that breaks the documented schema."""

from __future__ import annotations

import fakeredis
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.app import create_app
from tests.conftest import ADMIN_KEY

APP = create_app({"TESTING": True}, redis=fakeredis.FakeRedis())
# The WSGI transport hands the raw body to the checks, and list pages go out gzipped to clients that
# accept gzip (requests' default headers do): ask for identity, as a client that cannot inflate would.
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}", "Accept-Encoding": "identity"}
CASES: list[str] = []  # every generated request, counted below
SCHEMA = schemathesis.openapi.from_wsgi("/openapi.json", APP)


@SCHEMA.parametrize()
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    CASES.append(case.operation.label)
    # A cursor is opaque (only next_cursor values are valid), so a schema-valid string may rightly be refused.
    opaque = positive_data_acceptance if case.query and "cursor" in case.query else None
    # An import's CSV header is checked against its column mapping, which no schema can express.
    if case.operation.path == "/v1/imports" and (
        case.media_type == "text/csv" or (case.query or {}).get("map")
    ):
        opaque = positive_data_acceptance
    case.call_and_validate(headers=AUTH, excluded_checks=[opaque] if opaque else None)


def test_at_least_a_thousand_cases_ran() -> None:
    if not CASES:
        pytest.skip("run the whole module: the count is of the generated cases above")
    operations = {label for label in CASES}
    assert len(CASES) >= 1000, f"only {len(CASES)} generated cases over {len(operations)} operations"
    paths = APP.test_client().get("/openapi.json").json["paths"]
    verbs = {"get", "put", "post", "delete", "patch"}
    documented = {f"{verb.upper()} {path}" for path, item in paths.items() for verb in item if verb in verbs}
    assert documented <= operations, f"operations never exercised: {documented - operations}"
