"""The HTTP API against its own OpenAPI document, fuzzed in-process with schemathesis.

Every operation gets schemathesis' examples, coverage and fuzzing phases (~30 fuzzed cases each).
The app runs with its lifespan (schemathesis' ASGI client starts it, and its pytest plugin stops
it after each test), with small limits so that POST /api/train stays cheap.

Checks: every check schemathesis has, among them "positive data acceptance": a request the
document says is valid must not be refused. The document states this app's own `Settings`
limits, each dataset's bounds and the rules between fields (`schemas.http_models`), so the
fuzzer's valid requests are accepted — except where acceptance depends on what no schema of a
request can know, which the check below tolerates by name and nothing else:

- POST /api/train naming an uploaded file by id: whether that file is on the server is state
  (refused 422 `unknown_upload`, as the tests of uploads pin);
- POST /api/uploads: whether the bytes are a readable CSV table or image set is the file's
  contents (refused 422 on `file`, saying what is wrong and where) — but not its emptiness,
  which the document states (`minLength: 1`).

Two rules JSON Schema cannot say are kept by the generated valid bodies themselves: integers are
sent as integers (JSON Schema counts 300.0 as an integer; this strict API does not, as
`test_api.py` pins), and drawn points have as many x1 and x2 as y.
"""

import itertools

import schemathesis
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.transport.serialization import Binary

from app.main import create_app
from app.settings import Settings

SETTINGS = Settings(max_train_iterations=200, max_samples=400, max_train_seconds=2.0)
app = create_app(SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def accepted_unless_state_or_contents(ctx, response, case):
    """schemathesis' `positive_data_acceptance`, minus refusals no request schema can foresee
    (see the module's docstring)."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        errors = response.json().get("errors", []) if response.status_code == 422 else []
        fields = {item["field"] for item in errors}
        rules = {item["rule"] for item in errors}
        label = case.operation.label
        if label == "POST /api/train" and rules == {"unknown_upload"}:
            return None  # the file it names is not on the server: state
        if label == "POST /api/uploads" and fields == {"file"} and "empty" not in rules:
            return None  # what the file holds: its contents
        raise


load_all_checks()
CHECKS = [
    accepted_unless_state_or_contents if check is positive_data_acceptance else check
    for check in REGISTRY.get_all()
]


def _integers_as_integers(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integers_as_integers(v) for v in value]
    if isinstance(value, dict):
        return {k: _integers_as_integers(v) for k, v in value.items()}
    return value


def _as_many_points_as_labels(body) -> None:
    dataset = body.get("config", {}).get("dataset") if isinstance(body, dict) else None
    if isinstance(dataset, dict) and dataset.get("kind") == "drawn":
        m = len(dataset["y"])
        for axis in ("x1", "x2"):
            dataset[axis] = list(itertools.islice(itertools.cycle(dataset[axis]), m))


def keep_unstatable_rules(case) -> None:
    """Valid bodies keep the two rules JSON Schema cannot say (see the module's docstring)."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if isinstance(case.body, dict | list):
        case.body = _integers_as_integers(case.body)
        _as_many_points_as_labels(case.body)


def send_bytes_as_bytes(case) -> None:
    """Works around schemathesis 4.32: a generated file body (`Binary`) for a text media type
    (text/csv) goes out empty — its text serializer reads the wrapper, not its bytes."""
    if isinstance(case.body, Binary):
        case.body = case.body.data


@schema.parametrize()
@hypothesis_settings(max_examples=30, deadline=None, database=None)
def test_api_conforms_to_its_schema(case):
    send_bytes_as_bytes(case)
    keep_unstatable_rules(case)
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500, response.text
    if response.request.method == case.operation.method.upper():  # not an undeclared method
        declared = case.operation.definition.raw["responses"]
        assert str(response.status_code) in declared, (response.status_code, list(declared))
    if case.operation.label == "GET /api/health" and response.status_code == 200:
        assert response.json()["status"] == "ok"  # the lifespan ran: the trainer is alive
