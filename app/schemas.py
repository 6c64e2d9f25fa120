"""Request and response models of the HTTP API, and the run config's names for every entrance.

The run config itself (`RunConfigModel`, its data models, its live partial form
`HyperparameterUpdate`, its conversion into the engine and `enforce_limits`) lives in
`app.runconfig`, and the refusals (`RequestError`, `LimitExceededError`) in `app.errors`; they are
re-exported here, where the app's other modules import them from.

`http_models(settings)` makes one server's HTTP request bodies: the same models, validating the
same way, whose JSON schema (and so /openapi.json) states every rule that server applies — its
`Settings` limits, each dataset's own bounds, and the rules between fields as `oneOf` variants
(one per dataset name, per number of drawn classes, per task) — so a schema-valid request is
accepted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    create_model,
)

from engine import DATASETS
from engine.datasets import MAX_CLASSES, MAX_SIZE, MIN_SIZE, DatasetSpec
from engine.losses import OUTPUTS_FOR_TASK

from .errors import LimitExceededError, RequestError, TooLargeError
from .runconfig import (
    DRAW_BOUNDS,
    L2,
    LIVE,
    MAX_DRAWN_POINTS,
    NULLABLE_LIVE_FIELDS,
    BatchSize,
    Coordinate,
    CsvDataModel,
    DataModel,
    DatasetModel,
    DatasetName,
    DrawnClass,
    DrawnDataModel,
    FeatureName,
    HiddenActivation,
    HyperparameterUpdate,
    ImageDataModel,
    InitModel,
    InitName,
    LayerModel,
    LearningRate,
    OptimizerName,
    OutputActivation,
    RunConfigModel,
    Seed,
    Strict,
    UploadId,
    enforce_limits,
    live_fields,
    make_trainer,
    partial_fields,
)
from .settings import Settings

__all__ = [
    "DRAW_BOUNDS",
    "L2",
    "LIVE",
    "MAX_DRAWN_POINTS",
    "NULLABLE_LIVE_FIELDS",
    "BatchSize",
    "CsvDataModel",
    "DataModel",
    "DatasetModel",
    "DrawnDataModel",
    "ErrorItem",
    "ErrorResponse",
    "HiddenActivation",
    "HttpModels",
    "HyperparameterUpdate",
    "ImageDataModel",
    "InitModel",
    "InitName",
    "LayerModel",
    "LearningRate",
    "LimitExceededError",
    "OptimizerName",
    "PreviewResponse",
    "RequestError",
    "RunConfigModel",
    "Seed",
    "Strict",
    "TooLargeError",
    "TrainRequest",
    "TrainResponse",
    "enforce_limits",
    "http_models",
    "live_fields",
    "make_trainer",
    "partial_fields",
]

# --- HTTP -----------------------------------------------------------------------------------------


class ErrorItem(BaseModel):
    """One problem with a request: where it is and which rule it breaks."""

    field: str = Field(description="Dotted path of the field, e.g. 'config.layers.0.units'.")
    rule: str = Field(description="The rule broken, e.g. 'less_than_equal', 'limit', 'json'.")
    message: str
    limit: int | float | None = None
    row: int | None = Field(None, description="Data files: the row (the header is row 1).")
    column: str | None = Field(None, description="Data files: the column's name.")


class ErrorResponse(BaseModel):
    """The body of every 4xx answer."""

    error: str = Field(description="A one-line summary.")
    errors: list[ErrorItem] = Field(default_factory=list)


class TrainRequest(Strict):
    """Headless training: a run config and how many iterations (bounded by the server)."""

    config: RunConfigModel = RunConfigModel()
    iterations: int = Field(1000, ge=1, le=1_000_000)


class TrainResponse(BaseModel):
    """What a headless run did: its cost history, outcome and final parameters."""

    status: Literal["finished", "diverged", "timeout"]
    iterations: int
    epochs: int
    diverged_at: int | None
    seconds: float
    costs: list[float]
    train_cost: float | None
    test_cost: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    parameters: dict[str, list[list[float]]] = Field(
        description="The course's {'W1': (n1, n_x), 'b1': (n1, 1), …} as nested lists."
    )


class PointsModel(BaseModel):
    """Points of one split: x1 and x2 coordinates (x only, for 1-D data) and labels."""

    x1: list[float]
    x2: list[float] | None
    y: list[float]


class PreviewResponse(BaseModel):
    """A dataset's points, for drawing it."""

    name: str
    task: Literal["binary", "multiclass", "regression"]
    n_classes: int | None
    bounds: tuple[float, float, float, float]
    train: PointsModel
    test: PointsModel


# --- One server's HTTP request bodies, their schema stating its rules ----------------------------


@dataclass(frozen=True)
class States:
    """Adds to a field's JSON schema a rule checked elsewhere — a `Settings` limit (checked by
    `enforce_limits`, whose errors name the limit) or a dataset's own bound (the engine's) — so
    that the schema says what the server enforces, without changing how the field validates."""

    rules: tuple[tuple[str, Any], ...]

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler(core_schema)
        schema.update(self.rules)
        return schema


def _states(**rules: Any) -> States:
    return States(tuple(rules.items()))


def _only(schema: dict[str, Any]) -> WithJsonSchema:
    """A field's JSON schema replaced by `schema`: what one variant of a union allows."""
    return WithJsonSchema(schema)


DEFAULT_DATASET = DatasetModel.model_fields["name"].default
DRAWN_CLASSES = range(2, MAX_CLASSES + 1)
FILE_TASK = "any"
ITERATIONS = TrainRequest.model_fields["iterations"].default
"""The task of a run on uploaded files whose task the file decides (CSV label, image labels)."""


def _dataset_tag(name: Any) -> str:
    # Unknown names go to the default dataset's variant, whose `name` refuses them by name.
    return f"{name if isinstance(name, str) and name in DATASETS else DEFAULT_DATASET}-dataset"


def _http_data_tag(value: Any) -> str | None:
    """The variant of an HTTP `dataset`: by kind, then dataset name, drawn classes, task."""
    if not isinstance(value, dict):
        return getattr(value, "http_tag", None)
    kind = value.get("kind", "builtin")
    if kind == "builtin":
        return _dataset_tag(value.get("name", DEFAULT_DATASET))
    if kind == "drawn":
        n = value.get("n_classes", 2)
        valid = isinstance(n, int) and not isinstance(n, bool) and n in DRAWN_CLASSES
        return f"drawn-{n if valid else 2}"
    if kind == "csv":
        task = value.get("task")
        known = isinstance(task, str) and task in OUTPUTS_FOR_TASK
        return f"csv-{task if known else FILE_TASK}"
    if kind == "images":
        return "images-files" if value.get("uploads") else "images-example"
    return None


def _task_of(tag: str | None) -> str:
    if tag is None or tag.startswith("csv-"):
        return tag[4:] if tag else "binary"  # an unknown kind: refused by the data union
    if tag.endswith("-dataset"):
        return DATASETS[tag.removesuffix("-dataset")].task
    if tag.startswith("drawn-"):
        return "binary" if tag == "drawn-2" else "multiclass"
    return "binary" if tag == "images-example" else FILE_TASK


def _run_tag(value: Any) -> str:
    """The variant of an HTTP run config: the task of its dataset (default: the flower's)."""
    if not isinstance(value, dict):
        return getattr(value, "http_tag", "binary-run")
    dataset = value.get("dataset", {})
    return f"{_task_of(_http_data_tag(dataset) if isinstance(dataset, dict) else None)}-run"


def _variant(base: type[BaseModel], title: str, tag: str, **fields: Any) -> type[BaseModel]:
    model = create_model(title, __base__=base, __doc__=base.__doc__, **fields)
    model.http_tag = tag
    return model


def _builtin_model(spec: DatasetSpec, settings: Settings) -> type[DatasetModel]:
    """A built-in dataset's own bounds (size within the server's max_samples, noise, classes,
    features): checked by the engine and `enforce_limits`, stated here."""
    cap = min(spec.max_size, settings.max_samples)
    size = Annotated[
        int, Field(ge=MIN_SIZE, le=MAX_SIZE), _states(minimum=spec.min_size, maximum=cap)
    ]
    fields: dict[str, Any] = {
        "name": (
            Annotated[DatasetName, _only({"const": spec.name, "type": "string"})],
            spec.name if spec.name == DEFAULT_DATASET else ...,
        ),
        "noise": (
            Annotated[float, Field(ge=0, le=10), _states(maximum=spec.max_noise)] | None,
            Field(None, description=f"Noise level, 0 … {spec.max_noise}; default its own."),
        ),
    }
    if spec.default_size > cap:  # its default size is over this server's limit: say a size
        fields["size"] = (size, Field(description=f"Number of points, at most {cap}."))
    else:
        fields["size"] = (size | None, Field(None, description="Number of points."))
    if spec.task == "multiclass":
        fields["n_classes"] = (
            Annotated[int, Field(ge=2, le=MAX_CLASSES), _states(maximum=spec.max_classes)] | None,
            Field(None, description="Number of classes; default its own."),
        )
    else:
        fields["n_classes"] = (
            Annotated[int | None, _only({"type": "null"})],
            Field(None, description="Multi-class datasets only."),
        )
    if spec.n_inputs != 2:
        fields["features"] = (
            Annotated[list[FeatureName], _only({"type": "array", "maxItems": 0})],
            Field(default_factory=list, description="None: derived inputs need x1 and x2."),
        )
    title = spec.name.title()
    return _variant(DatasetModel, f"{title}Dataset", f"{spec.name}-dataset", **fields)


def _drawn_model(n_classes: int, settings: Settings) -> type[DrawnDataModel]:
    """Points drawn in `n_classes` classes: at most max_drawn_points, of at least two classes."""
    points = Annotated[
        list[Coordinate],
        Field(max_length=MAX_DRAWN_POINTS),
        _states(minItems=2, maxItems=settings.max_drawn_points),
    ]
    labels = {
        "type": "array",
        "items": {"type": "integer", "minimum": 0, "maximum": n_classes - 1},
        "minItems": 2,
        "maxItems": settings.max_drawn_points,
        # Not all of one class: at least two classes to learn from.
        "not": {"anyOf": [{"items": {"const": c}} for c in range(n_classes)]},
    }
    classes = Annotated[
        int, Field(ge=2, le=MAX_CLASSES), _only({"const": n_classes, "type": "integer"})
    ]
    return _variant(
        DrawnDataModel,
        f"Drawn{n_classes}Data",
        f"drawn-{n_classes}",
        x1=(points, Field(description="x1 of each point (as many as y).")),
        x2=(points, Field(description="x2 of each point (as many as y).")),
        y=(
            Annotated[list[DrawnClass], Field(max_length=MAX_DRAWN_POINTS), _only(labels)],
            Field(description="Class of each point."),
        ),
        n_classes=(classes, 2 if n_classes == 2 else ...),
    )


def _csv_model(task: str) -> type[CsvDataModel]:
    stated = {"type": "null"} if task == FILE_TASK else {"const": task, "type": "string"}
    return _variant(
        CsvDataModel,
        f"Csv{task.title()}Data",
        f"csv-{task}",
        task=(
            Annotated[Literal["binary", "multiclass", "regression"] | None, _only(stated)],
            None if task == FILE_TASK else ...,
        ),
    )


def _images_model(files: bool) -> type[ImageDataModel]:
    uploads = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 64}} | (
        {"minItems": 1, "maxItems": 2, "uniqueItems": True} if files else {"maxItems": 0}
    )
    description = "Ids of the train (and test) files." if files else "Empty: the built-in example."
    return _variant(
        ImageDataModel,
        "ImageFilesData" if files else "ImageExampleData",
        "images-files" if files else "images-example",
        uploads=(
            Annotated[list[UploadId], Field(max_length=2), _only(uploads)],
            Field(default_factory=list, description=description) if not files else ...,
        ),
    )


def _union(models: list[type[BaseModel]], tag: Any, message: str) -> Any:
    members = tuple(Annotated[model, Tag(model.http_tag)] for model in models)
    kind = "data_kind" if tag is _http_data_tag else "dataset_name"
    return Annotated[
        functools.reduce(lambda a, b: a | b, members),
        Discriminator(tag, custom_error_type=kind, custom_error_message=message),
    ]


@dataclass(frozen=True)
class HttpModels:
    """One server's HTTP request bodies (see `http_models`)."""

    dataset: Any
    """POST /api/datasets/preview: a built-in dataset, one variant per name."""
    train: type[TrainRequest]
    """POST /api/train: a run config (one variant per task of its dataset) and iterations."""


@functools.cache
def http_models(settings: Settings) -> HttpModels:
    """The request bodies of a server with these settings: they validate as the WebSocket's
    models do, and their JSON schema states every rule the server applies to them."""
    builtin = [_builtin_model(spec, settings) for spec in DATASETS.values()]
    data = [
        *builtin,
        *(_drawn_model(n, settings) for n in DRAWN_CLASSES),
        *(_csv_model(task) for task in (*OUTPUTS_FOR_TASK, FILE_TASK)),
        _images_model(files=False),
        _images_model(files=True),
    ]
    kind_error = "dataset.kind must be one of: builtin, drawn, csv, images"
    layer = _variant(
        LayerModel,
        "LayerModel",
        "layer",
        units=(
            Annotated[int, Field(ge=1, le=1024), _states(maximum=settings.max_units)],
            4,
        ),
    )
    layers = Annotated[
        list[layer], Field(max_length=32), _states(maxItems=settings.max_hidden_layers)
    ]
    default_fits = DATASETS[DEFAULT_DATASET].default_size <= settings.max_samples
    runs = []
    for task in (*OUTPUTS_FOR_TASK, FILE_TASK):
        members = [model for model in data if _task_of(model.http_tag) == task]
        outputs = list(OUTPUTS_FOR_TASK.get(task, ("sigmoid", "softmax", "linear")))
        has_default = task == DATASETS[DEFAULT_DATASET].task and default_fits
        runs.append(
            _variant(
                RunConfigModel,
                f"{task.title()}RunConfig",
                f"{task}-run",
                dataset=(
                    _union(members, _http_data_tag, kind_error),
                    DatasetModel() if has_default else ...,
                ),
                layers=(layers, Field(default_factory=lambda: [LayerModel()])),
                output=(
                    Annotated[
                        OutputActivation | None,
                        _only({"anyOf": [{"enum": outputs, "type": "string"}, {"type": "null"}]}),
                    ],
                    Field(None, description=f"Output activation: {', '.join(outputs)}."),
                ),
            )
        )
    config = Annotated[
        functools.reduce(lambda a, b: a | b, (Annotated[r, Tag(r.http_tag)] for r in runs)),
        Discriminator(_run_tag),
    ]
    train = _variant(
        TrainRequest,
        "TrainRequest",
        "train",
        config=(config, RunConfigModel() if default_fits else ...),
        iterations=(
            Annotated[
                int, Field(ge=1, le=1_000_000), _states(maximum=settings.max_train_iterations)
            ],
            # A default over this server's limit is no default: the field is then required.
            ITERATIONS if settings.max_train_iterations >= ITERATIONS else ...,
        ),
    )
    names = ", ".join(DATASETS)
    return HttpModels(
        dataset=_union(builtin, _dataset_tag_of, f"name must be one of: {names}"),
        train=train,
    )


def _dataset_tag_of(value: Any) -> str:
    if isinstance(value, dict):
        return _dataset_tag(value.get("name", DEFAULT_DATASET))
    return getattr(value, "http_tag", f"{DEFAULT_DATASET}-dataset")
