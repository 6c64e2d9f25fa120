"""The HTTP API through TestClient: health, options, dataset previews, headless training, and
the shape of every refusal (ErrorResponse: {error, errors: [{field, rule, message, limit}]})."""

import gc
import math

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import MAX_BODY_BYTES, create_app
from app.sandbox import choose_isolation
from app.schemas import RunConfigModel
from app.settings import Settings
from engine import (
    ACTIVATIONS,
    DATASETS,
    FEATURES,
    INITIALIZATIONS,
    OPTIMIZERS,
    Network,
    TrainConfig,
    Trainer,
    make_dataset,
)
from engine.losses import OUTPUTS_FOR_TASK

JSON = {"content-type": "application/json"}
DIVERGING = {
    "dataset": {"name": "plane"},
    "layers": [{"units": 4, "activation": "linear"}],
    "learning_rate": 50.0,
}


@pytest.fixture
def settings() -> Settings:
    """Distinct limits, so that a limit the API reports can only come from these settings."""
    return Settings(
        max_hidden_layers=5,
        max_units=48,
        max_samples=1000,
        max_runs_per_session=3,
        max_step_iterations=5000,
        max_iterations_per_frame=777,
        max_train_iterations=3000,
        max_message_bytes=8192,
        frame_rate=40,
        boundary_resolution=40,
        map_resolution=10,
    )


def assert_error_response(response, status: int) -> dict:
    """The response has `status` and exactly the ErrorResponse shape; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"field", "rule", "message", "limit"}
        assert isinstance(item["field"], str) and item["field"]
        assert isinstance(item["rule"], str) and item["rule"]
        assert isinstance(item["message"], str) and item["message"]
        assert item["limit"] is None or isinstance(item["limit"], int | float)
    return body


def post_raw(client, path: str, text: str):
    return client.post(path, content=text, headers=JSON)


# --- GET /api/health --------------------------------------------------------------------------


def test_health_reports_ok_and_no_sessions_or_runs(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["sessions"] == 0 and health["runs"] == 0
    assert set(health["loop_lag"]) == {"samples", "p50_ms", "p99_ms", "max_ms"}
    lag = health["loop_lag"]
    assert 0 <= lag["p50_ms"] <= lag["p99_ms"] <= lag["max_ms"]
    assert health["upload_isolation"] == choose_isolation()  # landlock on Linux 5.13+


def test_health_counts_a_session_and_its_run(client, peer):
    peer.create(dataset={"name": "flower", "size": 100})
    health = client.get("/api/health").json()
    assert health["sessions"] == 1 and health["runs"] == 1


@pytest.mark.parametrize("window", ["0", "-1", "31", "soon"])
def test_health_refuses_a_bad_lag_window(client, window):
    body = assert_error_response(client.get(f"/api/health?lag_window={window}"), 422)
    assert body["errors"][0]["field"].endswith("lag_window")


# --- GET /api/options -------------------------------------------------------------------------


def test_options_list_the_engine_registries(client):
    response = client.get("/api/options")
    assert response.status_code == 200
    options = response.json()
    assert [a["name"] for a in options["activations"]] == list(ACTIVATIONS)
    for entry in options["activations"]:
        assert entry["hidden"] == ACTIVATIONS[entry["name"]].hidden
    outputs = {a["name"] for a in options["activations"] if a["output"]}
    assert outputs == {"sigmoid", "softmax", "linear"}
    assert [i["name"] for i in options["initializations"]] == list(INITIALIZATIONS)
    assert [o["name"] for o in options["optimizers"]] == list(OPTIMIZERS)
    assert options["features"] == [
        {"name": name, "label": feature.label} for name, feature in FEATURES.items()
    ]
    assert options["defaults"] == RunConfigModel().model_dump(mode="json")
    for task, names in options["outputs"].items():
        assert task in {d.task for d in DATASETS.values()}
        assert set(names) <= outputs


def test_options_datasets_are_capped_by_the_server_s_max_samples(client, settings):
    datasets = client.get("/api/options").json()["datasets"]
    assert [d["name"] for d in datasets] == list(DATASETS)
    for entry in datasets:
        spec = DATASETS[entry["name"]]
        assert entry["task"] == spec.task
        assert entry["min_size"] == spec.min_size
        assert entry["max_size"] == min(spec.max_size, settings.max_samples)
        assert entry["default_size"] == min(spec.default_size, settings.max_samples)
        assert entry["min_size"] <= entry["default_size"] <= entry["max_size"]


def test_options_limits_are_the_settings_in_use(client, settings):
    limits = client.get("/api/options").json()["limits"]
    assert limits == {name: getattr(settings, name) for name in limits}
    assert set(limits) >= {
        "max_hidden_layers",
        "max_units",
        "max_samples",
        "max_runs_per_session",
        "max_step_iterations",
        "max_iterations_per_frame",
        "max_train_iterations",
        "max_message_bytes",
    }


# --- POST /api/datasets/preview ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("dataset", "size", "train_fraction"),
    [
        ("flower", 100, 0.7),
        ("moons", 50, 0.8),
        ("blobs", 200, 0.25),
        ("plane", 40, 0.5),
        ("circles", 10, 1.0),
    ],
)
def test_preview_splits_size_points_by_train_fraction(client, dataset, size, train_fraction):
    body = {"name": dataset, "size": size, "train_fraction": train_fraction}
    response = client.post("/api/datasets/preview", json=body)
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["name"] == dataset and preview["task"] == DATASETS[dataset].task
    train, test = preview["train"], preview["test"]
    assert len(train["x1"]) == round(size * train_fraction)
    assert len(test["x1"]) == size - round(size * train_fraction)
    for split in (train, test):
        assert len(split["y"]) == len(split["x1"])
        assert split["x2"] is None or len(split["x2"]) == len(split["x1"])


@pytest.mark.parametrize("dataset", ["flower", "spirals", "xor", "plane"])
def test_preview_bounds_contain_every_point(client, dataset):
    preview = client.post("/api/datasets/preview", json={"name": dataset, "size": 300}).json()
    x1_lo, x1_hi, x2_lo, x2_hi = preview["bounds"]
    assert x1_lo < x1_hi and x2_lo < x2_hi
    for split in (preview["train"], preview["test"]):
        assert all(x1_lo <= x <= x1_hi for x in split["x1"])
        assert split["x2"] is None or all(x2_lo <= x <= x2_hi for x in split["x2"])


def test_preview_of_a_multiclass_dataset_labels_every_class(client):
    preview = client.post(
        "/api/datasets/preview", json={"name": "blobs", "n_classes": 4, "size": 200}
    ).json()
    assert preview["n_classes"] == 4
    labels = set(preview["train"]["y"]) | set(preview["test"]["y"])
    assert labels == {0, 1, 2, 3}


def test_preview_is_the_engine_s_dataset_for_the_same_seed(client):
    preview = client.post(
        "/api/datasets/preview", json={"name": "moons", "size": 60, "seed": 9}
    ).json()
    data = make_dataset("moons", n_samples=60, seed=9, train_fraction=0.8)
    np.testing.assert_allclose(preview["train"]["x1"], data.X_train[0], atol=1e-5)
    np.testing.assert_allclose(preview["test"]["x2"], data.X_test[1], atol=1e-5)
    np.testing.assert_array_equal(preview["train"]["y"], data.Y_train[0])


def test_preview_over_max_samples_names_size_and_the_limit(client, settings):
    response = client.post("/api/datasets/preview", json={"size": settings.max_samples + 1})
    error = assert_error_response(response, 422)["errors"][0]
    assert error["field"] == "size" and error["rule"] == "limit"
    assert error["limit"] == settings.max_samples


def test_preview_refuses_classes_for_a_binary_dataset(client):
    response = client.post("/api/datasets/preview", json={"name": "flower", "n_classes": 3})
    assert "n_classes" in assert_error_response(response, 422)["error"]


# --- POST /api/train --------------------------------------------------------------------------


def test_train_runs_every_iteration_and_the_flower_s_cost_falls(client):
    response = client.post("/api/train", json={"iterations": 1000})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "finished" and result["diverged_at"] is None
    assert result["iterations"] == 1000 and len(result["costs"]) == 1000
    costs = result["costs"]
    assert costs[0] == pytest.approx(math.log(2), abs=1e-3)  # randn × 0.01: output ≈ 0.5
    assert costs[-1] < 0.5 * costs[0]
    assert result["train_accuracy"] > 0.8


def test_train_returns_parameters_in_the_course_s_shapes(client):
    config = {"layers": [{"units": 5}, {"units": 3, "activation": "relu"}]}
    result = client.post("/api/train", json={"config": config, "iterations": 10}).json()
    shapes = {name: np.array(value).shape for name, value in result["parameters"].items()}
    assert shapes == {
        "W1": (5, 2),
        "b1": (5, 1),
        "W2": (3, 5),
        "b2": (3, 1),
        "W3": (1, 3),
        "b3": (1, 1),
    }


def test_train_matches_the_engine_for_the_same_config(client):
    result = client.post("/api/train", json={"iterations": 300}).json()
    data = make_dataset("flower", seed=0, train_fraction=0.8)
    net = Network([2, 4, 1], ["tanh", "sigmoid"], init="random", init_scale=0.01, seed=3)
    trainer = Trainer(net, data.X_train, data.Y_train, TrainConfig(learning_rate=1.2), seed=3)
    costs = trainer.run(300)
    np.testing.assert_allclose(result["costs"], costs, rtol=1e-12)
    for name, value in net.parameters.items():
        np.testing.assert_allclose(result["parameters"][name], value, rtol=1e-12)


def test_the_same_train_request_gives_the_same_costs(client):
    request = {"config": {"batch_size": 32, "optimizer": "adam", "learning_rate": 0.01}}
    first = client.post("/api/train", json={**request, "iterations": 200}).json()
    second = client.post("/api/train", json={**request, "iterations": 200}).json()
    assert first["costs"] == second["costs"] and first["parameters"] == second["parameters"]
    third = client.post(
        "/api/train", json={"config": {**request["config"], "seed": 4}, "iterations": 200}
    ).json()
    assert third["costs"] != first["costs"]  # the seed matters


def test_train_over_max_iterations_names_the_field_and_the_limit(client, settings):
    response = client.post("/api/train", json={"iterations": settings.max_train_iterations + 1})
    body = assert_error_response(response, 422)
    assert body["errors"] == [
        {
            "field": "iterations",
            "rule": "limit",
            "message": body["errors"][0]["message"],
            "limit": settings.max_train_iterations,
        }
    ]
    assert str(settings.max_train_iterations) in body["error"]


def test_train_accepts_exactly_max_iterations(client, settings):
    config = {"dataset": {"name": "flower", "size": 40}}
    request = {"config": config, "iterations": settings.max_train_iterations}
    result = client.post("/api/train", json=request).json()
    assert result["iterations"] == settings.max_train_iterations


@pytest.mark.parametrize(
    ("config", "field", "limit"),
    [
        ({"layers": [{"units": 4}] * 6}, "layers", 5),
        ({"layers": [{"units": 4}, {"units": 49}]}, "layers.1.units", 48),
        ({"dataset": {"size": 1001}}, "dataset.size", 1000),
    ],
)
def test_train_over_a_network_or_data_limit_names_it(client, config, field, limit):
    response = client.post("/api/train", json={"config": config, "iterations": 1})
    error = assert_error_response(response, 422)["errors"][0]
    assert (error["field"], error["rule"], error["limit"]) == (field, "limit", limit)


def test_a_diverging_run_reports_diverged_and_where(client):
    response = client.post("/api/train", json={"config": DIVERGING, "iterations": 500})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "diverged"
    assert 1 <= result["diverged_at"] <= 500
    # The costs before the divergence, all finite; diverged_at is the first bad iteration.
    assert result["diverged_at"] == result["iterations"] + 1 == len(result["costs"]) + 1
    assert all(math.isfinite(cost) for cost in result["costs"])


def test_train_refusing_an_output_that_does_not_fit_names_the_output_field(client):
    config = {"dataset": {"name": "plane"}, "output": "sigmoid"}
    response = client.post("/api/train", json={"config": config, "iterations": 1})
    error = assert_error_response(response, 422)["errors"][0]
    assert error["field"] == "config.output"


# --- refusals: JSON, strict types, size -------------------------------------------------------


@pytest.mark.parametrize("text", ['{"size": ', "{size: 3}", "{'size': 3}", '{"size": 3,}', "{"])
def test_malformed_json_is_refused_with_400(client, text):
    body = assert_error_response(post_raw(client, "/api/datasets/preview", text), 400)
    assert any(item["rule"] == "json_invalid" for item in body["errors"])


@pytest.mark.parametrize(
    ("path", "text", "field"),
    [
        ("/api/datasets/preview", '{"size": "300"}', "size"),
        ("/api/datasets/preview", '{"size": false}', "size"),
        ("/api/datasets/preview", '{"size": true}', "size"),
        ("/api/datasets/preview", '{"size": 300.0}', "size"),
        ("/api/datasets/preview", '{"size": 1.5}', "size"),
        ("/api/datasets/preview", '{"size": NaN}', "size"),
        ("/api/datasets/preview", '{"size": Infinity}', "size"),
        ("/api/datasets/preview", '{"noise": NaN}', "noise"),
        ("/api/datasets/preview", '{"noise": -Infinity}', "noise"),
        ("/api/datasets/preview", '{"noise": "0.1"}', "noise"),
        ("/api/datasets/preview", '{"name": "flower", "colour": "red"}', "colour"),
        ("/api/train", '{"iterations": "3"}', "iterations"),
        ("/api/train", '{"iterations": false}', "iterations"),
        ("/api/train", '{"iterations": 1.5}', "iterations"),
        ("/api/train", '{"iterations": NaN}', "iterations"),
        ("/api/train", '{"config": {"learning_rate": NaN}}', "config.learning_rate"),
        ("/api/train", '{"config": {"learning_rate": Infinity}}', "config.learning_rate"),
        ("/api/train", '{"config": {"learning_rate": "1.2"}}', "config.learning_rate"),
        ("/api/train", '{"config": {"layers": [{"units": "4"}]}}', "config.layers.0.units"),
        ("/api/train", '{"config": {"seed": 3.0}}', "config.seed"),
        ("/api/train", '{"iterations": 5, "epochs": 2}', "epochs"),
        ("/api/train", '{"config": {"dataset": {"nme": "flower"}}}', "config.dataset.nme"),
    ],
)
def test_strict_types_refuse_coercion_nan_and_unknown_fields(client, path, text, field):
    body = assert_error_response(post_raw(client, path, text), 422)
    assert field in [item["field"] for item in body["errors"]], body


@pytest.mark.parametrize("text", ["[]", "null", '"flower"', "3"])
def test_a_body_that_is_not_an_object_is_refused(client, text):
    assert_error_response(post_raw(client, "/api/train", text), 422)


def test_a_body_over_64_kb_is_refused_with_413(client):
    text = '{"name": "' + "a" * MAX_BODY_BYTES + '"}'
    body = assert_error_response(post_raw(client, "/api/datasets/preview", text), 413)
    assert body["errors"][0]["limit"] == MAX_BODY_BYTES


def test_a_body_of_exactly_64_kb_is_read(client):
    text = '{"name": "flower"}'.ljust(MAX_BODY_BYTES)  # JSON allows trailing whitespace
    assert post_raw(client, "/api/datasets/preview", text).status_code == 200


def test_a_chunked_body_over_64_kb_is_refused_with_413(client):
    chunks = [b'{"name": "', b"a" * MAX_BODY_BYTES, b'"}']
    response = client.post("/api/datasets/preview", content=iter(chunks), headers=JSON)
    assert "content-length" not in response.request.headers
    assert_error_response(response, 413)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/nowhere", 404),
        ("DELETE", "/api/train", 405),
        ("GET", "/api/train", 405),
        ("PUT", "/api/datasets/preview", 405),
    ],
)
def test_unknown_routes_and_methods_answer_in_the_error_shape(client, method, path, status):
    assert_error_response(client.request(method, path), status)


def test_a_405_says_which_methods_are_allowed(client):
    response = client.delete("/api/train")
    assert response.status_code == 405
    assert response.headers.get("allow") == "POST"


# --- the OpenAPI document ---------------------------------------------------------------------


def test_openapi_declares_the_error_responses_of_every_post_route(client):
    document = client.get("/openapi.json").json()
    error_ref = "#/components/schemas/ErrorResponse"
    posts = {path: ops["post"] for path, ops in document["paths"].items() if "post" in ops}
    assert set(posts) >= {"/api/train", "/api/datasets/preview", "/api/uploads"}
    for path, operation in posts.items():
        expected = {"413", "422"} | ({"503"} if path == "/api/train" else set())
        if path != "/api/uploads":  # the one route whose body is not JSON
            expected.add("400")
        for status in expected:
            response = operation["responses"].get(status)
            assert response is not None, (path, status)
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": error_ref}, (path, status)
    error_schema = document["components"]["schemas"]["ErrorResponse"]
    assert set(error_schema["properties"]) == {"error", "errors"}
    item_schema = document["components"]["schemas"]["ErrorItem"]
    assert set(item_schema["properties"]) == {"field", "rule", "message", "limit", "row", "column"}
    assert set(item_schema["required"]) == {"field", "rule", "message"}


# --- the OpenAPI document states what the server enforces -------------------------------------


def openapi(client) -> dict:
    return client.get("/openapi.json").json()


def component(document: dict, name: str) -> dict:
    return document["components"]["schemas"][name]


def variants(schema: dict) -> list[str]:
    return [ref["$ref"].rsplit("/", 1)[1] for ref in schema["oneOf"]]


def test_a_started_server_leaves_its_start_up_objects_out_of_garbage_collections():
    """`nnplay serve` sets freeze_startup_objects: what start-up made is frozen (gc.freeze)
    while the app runs, so the full collections of a long-running server skip it, and is
    collectable again once the app has stopped."""
    assert Settings.model_fields["freeze_startup_objects"].default is False  # tests: many apps
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(Settings(freeze_startup_objects=True))) as client:
        assert gc.get_freeze_count() > 10_000  # FastAPI, pydantic, NumPy, the app's own
        assert client.get("/api/health").status_code == 200
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(Settings(freeze_startup_objects=False))):
        assert gc.get_freeze_count() == 0


def test_openapi_states_the_train_iteration_limit_the_server_enforces():
    with TestClient(create_app(Settings(max_train_iterations=200))) as client:
        iterations = component(openapi(client), "TrainRequest")["properties"]["iterations"]
        assert iterations["maximum"] == 200
        config = {"dataset": {"name": "flower", "size": 40}, "layers": []}
        response = client.post("/api/train", json={"config": config, "iterations": 200})
        assert response.status_code == 200, response.text
        response = client.post("/api/train", json={"config": config, "iterations": 201})
        error = assert_error_response(response, 422)["errors"][0]
        assert (error["field"], error["rule"], error["limit"]) == ("iterations", "limit", 200)


def test_openapi_states_the_network_and_data_limits_of_the_settings(client, settings):
    document = openapi(client)
    assert component(document, "LayerModel")["properties"]["units"]["maximum"] == settings.max_units
    for run in ("BinaryRunConfig", "MulticlassRunConfig", "RegressionRunConfig", "AnyRunConfig"):
        layers = component(document, run)["properties"]["layers"]
        assert layers["maxItems"] == settings.max_hidden_layers
    for name, spec in DATASETS.items():
        size = component(document, f"{name.title()}Dataset")["properties"]["size"]["anyOf"][0]
        assert size["maximum"] == min(spec.max_size, settings.max_samples)
        assert size["minimum"] == spec.min_size
    drawn = component(document, "Drawn2Data")["properties"]
    for axis in ("x1", "x2", "y"):
        assert drawn[axis]["maxItems"] == settings.max_drawn_points


def test_openapi_states_each_dataset_s_own_rules_as_one_variant_per_name(client):
    document = openapi(client)
    body = document["paths"]["/api/datasets/preview"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert variants(schema) == [f"{name.title()}Dataset" for name in DATASETS]
    for name, spec in DATASETS.items():
        properties = component(document, f"{name.title()}Dataset")["properties"]
        assert properties["name"]["const"] == name
        assert properties["noise"]["anyOf"][0]["maximum"] == spec.max_noise
        if spec.task == "multiclass":
            assert properties["n_classes"]["anyOf"][0]["maximum"] == spec.max_classes
        else:  # the finding: n_classes on a binary dataset was schema-valid, then refused
            assert properties["n_classes"] == {**properties["n_classes"], "type": "null"}
        if spec.n_inputs != 2:
            assert properties["features"]["maxItems"] == 0


def test_openapi_states_which_outputs_fit_each_task(client):
    document = openapi(client)
    for task, outputs in OUTPUTS_FOR_TASK.items():
        output = component(document, f"{task.title()}RunConfig")["properties"]["output"]
        assert output["anyOf"][0]["enum"] == list(outputs)
    regression = component(document, "RegressionRunConfig")["properties"]["dataset"]
    assert variants(regression) == ["PlaneDataset", "HouseDataset", "CsvRegressionData"]


def test_a_dataset_whose_default_size_is_over_the_limit_must_say_its_size():
    with TestClient(create_app(Settings(max_samples=100))) as client:
        flower = component(openapi(client), "FlowerDataset")
        assert "size" in flower["required"] and flower["properties"]["size"]["maximum"] == 100
        assert client.post("/api/datasets/preview", json={"size": 100}).status_code == 200
        assert_error_response(client.post("/api/datasets/preview", json={}), 422)


def test_openapi_says_an_upload_is_not_empty_and_an_empty_one_is_refused(client):
    body = openapi(client)["paths"]["/api/uploads"]["post"]["requestBody"]
    for media in ("text/csv", "application/octet-stream"):
        assert body["content"][media]["schema"]["minLength"] == 1
    response = client.post(
        "/api/uploads?name=t.csv", content=b"", headers={"content-type": "text/csv"}
    )
    assert assert_error_response(response, 422)["errors"][0]["rule"] == "empty"


def test_openapi_says_the_servers_upload_size_limit():
    settings = Settings(max_csv_bytes=5000, max_image_bytes=8000)
    with TestClient(create_app(settings)) as client:
        body = openapi(client)["paths"]["/api/uploads"]["post"]["requestBody"]
        for media in ("text/csv", "application/octet-stream"):
            assert body["content"][media]["schema"]["maxLength"] == 8000
        big = b"x" * 8001
        response = client.post("/api/uploads?name=t.npz", content=big)
        assert response.status_code == 413


def test_openapi_declares_the_origin_refusal_of_every_post(client):
    paths = openapi(client)["paths"]
    posts = [path for path, operations in paths.items() if "post" in operations]
    assert posts
    for path in posts:
        assert "403" in paths[path]["post"]["responses"], path
