"""The HTTP API against its own OpenAPI document, fuzzed in-process with schemathesis.

Every operation gets schemathesis' examples, coverage and fuzzing phases (~30 fuzzed cases each).
The app runs with its lifespan (schemathesis' ASGI client starts it, and its pytest plugin stops
it after each test), with small limits so that POST /api/train stays cheap.

Checks: no 5xx, status codes and content types the document declares, bodies and headers that
match the declared schemas, schema-invalid requests refused, undeclared methods answered 405.
Not checked: "positive data acceptance" — the schema states absolute bounds, while the server
also refuses requests over its `Settings` limits and cross-field rules (e.g. `n_classes` on a
binary dataset) with a declared 422.

Known bug, tolerated here and tracked by the strict xfail
`test_api.py::test_a_405_says_which_methods_are_allowed`: a 405 has no `Allow` header. (Not an
xfail mark here: schemathesis' pytest plugin raises INTERNALERROR on a strict XPASS.)
"""

import schemathesis
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.openapi.checks import UnsupportedMethodResponse
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from app.main import create_app
from app.settings import Settings

SETTINGS = Settings(max_train_iterations=200, max_samples=400, max_train_seconds=2.0)
"""max_samples fits every dataset's default size, so default configs can train."""
app = create_app(SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def undeclared_method_gets_405(ctx, response, case):
    """schemathesis' `unsupported_method`, minus the known missing-Allow-header bug."""
    try:
        return unsupported_method(ctx, response, case)
    except UnsupportedMethodResponse as failure:
        if failure.failure_reason != "missing_allow_header":
            raise
        return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    undeclared_method_gets_405,
]


def within_train_limit(case) -> None:
    """Steer valid POST /api/train bodies under the iteration limit, so the fuzzer reaches the
    training path and its response schema instead of only the limit refusal."""
    body = case.body
    if (
        case.operation.label == "POST /api/train"
        and case.meta is not None
        and case.meta.generation.mode.is_positive
        and isinstance(body, dict)
        and isinstance(body.get("iterations"), int)
        and body["iterations"] > SETTINGS.max_train_iterations
    ):
        body["iterations"] = 1 + body["iterations"] % SETTINGS.max_train_iterations


@schema.parametrize()
@hypothesis_settings(max_examples=30, deadline=None, database=None)
def test_api_conforms_to_its_schema(case):
    within_train_limit(case)
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500, response.text
    if response.request.method == case.operation.method.upper():  # not an undeclared method
        declared = case.operation.definition.raw["responses"]
        assert str(response.status_code) in declared, (response.status_code, list(declared))
    if case.operation.label == "GET /api/health" and response.status_code == 200:
        assert response.json()["status"] == "ok"  # the lifespan ran: the trainer is alive
