"""Strict request and response models at the API's edge, and their conversion into the engine's
own frozen configs (`DatasetConfig`, `NetworkConfig`, `TrainConfig`).

Strict: no coercion (`"3"` is not 3, `false` is not 0), no unknown fields, no NaN or infinity.
The bounds written into the models are absolute; the server's own, usually tighter limits come
from `Settings` and are enforced by `enforce_limits`, whose errors name the field and the limit.
The names in the `Literal`s are the engine's registries: one vocabulary for engine, API and UI.

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
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    create_model,
    model_validator,
)

from engine import (
    DATASETS,
    FEATURES,
    HIDDEN_ACTIVATIONS,
    INITIALIZATIONS,
    OPTIMIZERS,
    DatasetConfig,
    NetworkConfig,
    TrainConfig,
)
from engine.datasets import MAX_CLASSES, MAX_SIZE, MIN_SIZE, DatasetSpec
from engine.losses import DEFAULT_OUTPUT, OUTPUTS_FOR_TASK

from .settings import Settings

DatasetName = Literal[tuple(DATASETS)]
FeatureName = Literal[tuple(FEATURES)]
HiddenActivation = Literal[tuple(HIDDEN_ACTIVATIONS)]
OutputActivation = Literal["sigmoid", "softmax", "linear"]
InitName = Literal[tuple(INITIALIZATIONS)]
OptimizerName = Literal[tuple(OPTIMIZERS)]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1, description="Seed of a NumPy Generator.")]
LearningRate = Annotated[
    float, Field(gt=0, le=100, allow_inf_nan=False, description="Learning rate α.")
]
BatchSize = Annotated[int, Field(ge=1, le=MAX_SIZE, description="Mini-batch size.")]
L2 = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False, description="L2 penalty λ.")]


class Strict(BaseModel):
    """Base of every request model: strict types, no extra fields, no NaN, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


class DatasetModel(Strict):
    """Which points to train on. `size` and `noise` default to the dataset's own."""

    kind: Literal["builtin"] = "builtin"
    name: DatasetName = "flower"
    size: int | None = Field(None, ge=MIN_SIZE, le=MAX_SIZE, description="Number of points.")
    noise: float | None = Field(None, ge=0, le=10, description="Noise level (dataset's unit).")
    train_fraction: float = Field(0.8, gt=0, le=1, description="Share of points for training.")
    seed: Seed = 0
    features: list[FeatureName] = Field(
        default_factory=list,
        max_length=len(FEATURES),
        description="Derived inputs, each at most once.",
        json_schema_extra={"uniqueItems": True},
    )
    n_classes: int | None = Field(None, ge=2, le=MAX_CLASSES, description="Multi-class only.")

    @model_validator(mode="after")
    def _unique_features(self) -> DatasetModel:
        if len(set(self.features)) != len(self.features):
            raise ValueError("features must not repeat")
        return self

    def to_engine(self) -> DatasetConfig:
        """The engine's config for these points."""
        return DatasetConfig(
            name=self.name,
            n_samples=self.size,
            noise=self.noise,
            seed=self.seed,
            train_fraction=self.train_fraction,
            features=tuple(self.features),
            n_classes=self.n_classes,
        )


DRAW_BOUNDS = (-6.0, 6.0, -6.0, 6.0)
"""The plane points are drawn on: the scale of the built-in datasets (x1, x2 in about ±5)."""
MAX_DRAWN_POINTS = 5000
UploadId = Annotated[
    str, Field(min_length=1, max_length=64, description="An id from POST /api/uploads.")
]
Coordinate = Annotated[float, Field(ge=DRAW_BOUNDS[0], le=DRAW_BOUNDS[1])]
DrawnClass = Annotated[int, Field(ge=0, lt=MAX_CLASSES)]


class DrawnDataModel(Strict):
    """Points drawn by hand on the plane DRAW_BOUNDS: coordinates x1, x2 and class y of each."""

    kind: Literal["drawn"]
    x1: list[Coordinate] = Field(max_length=MAX_DRAWN_POINTS, description="x1 of each point.")
    x2: list[Coordinate] = Field(max_length=MAX_DRAWN_POINTS, description="x2 of each point.")
    y: list[DrawnClass] = Field(max_length=MAX_DRAWN_POINTS, description="Class of each point.")
    n_classes: int = Field(2, ge=2, le=MAX_CLASSES, description="2: binary; more: softmax.")
    train_fraction: float = Field(0.8, gt=0, le=1, description="Share of points for training.")
    seed: Seed = 0
    features: list[FeatureName] = Field(
        default_factory=list,
        max_length=len(FEATURES),
        description="Derived inputs, each at most once.",
        json_schema_extra={"uniqueItems": True},
    )

    @model_validator(mode="after")
    def _check(self) -> DrawnDataModel:
        if len(set(self.features)) != len(self.features):
            raise ValueError("features must not repeat")
        if not len(self.x1) == len(self.x2) == len(self.y):
            raise ValueError(
                f"x1, x2 and y must have one entry per point; got {len(self.x1)}, "
                f"{len(self.x2)} and {len(self.y)}"
            )
        for i, label in enumerate(self.y):
            if label >= self.n_classes:
                raise ValueError(
                    f"point {i} has class {label}, but there are {self.n_classes} classes"
                )
        return self


class CsvDataModel(Strict):
    """An uploaded CSV table: which column is the label, and how to split it."""

    kind: Literal["csv"]
    upload: UploadId
    label: str = Field(min_length=1, max_length=200, description="Name of the label column.")
    task: Literal["binary", "multiclass", "regression"] | None = Field(
        None, description="None: inferred from the label column."
    )
    train_fraction: float = Field(0.8, gt=0, le=1, description="Share of rows for training.")
    seed: Seed = 0


class ImageDataModel(Strict):
    """An image set in the course's layout: uploaded .h5/.npz files, or the built-in example."""

    kind: Literal["images"]
    uploads: list[UploadId] = Field(
        default_factory=list,
        max_length=2,
        description="Ids of the train (and test) files; empty: the built-in synthetic example.",
    )


def _data_kind(value: Any) -> str:
    # Tags hold a '-': error paths drop such parts (see session.validation_errors), so that
    # errors name dataset.x1.0, not dataset.drawn-data.x1.0.
    kind = value.get("kind", "builtin") if isinstance(value, dict) else getattr(value, "kind", "")
    return f"{kind}-data"


DataModel = Annotated[
    Annotated[DatasetModel, Tag("builtin-data")]
    | Annotated[DrawnDataModel, Tag("drawn-data")]
    | Annotated[CsvDataModel, Tag("csv-data")]
    | Annotated[ImageDataModel, Tag("images-data")],
    Discriminator(
        _data_kind,
        custom_error_type="data_kind",
        custom_error_message="dataset.kind must be one of: builtin, drawn, csv, images",
    ),
]


class LayerModel(Strict):
    """One hidden layer: its number of units and its activation."""

    units: int = Field(4, ge=1, le=1024)
    activation: HiddenActivation = "tanh"


class InitModel(Strict):
    """Initialization by name; `scale` is the standard deviation of "random"."""

    name: InitName = "random"
    scale: float = Field(0.01, ge=0, le=100)


class HyperparametersModel(Strict):
    """Settings that can change while a run trains, without resetting it."""

    learning_rate: LearningRate = 1.2
    optimizer: OptimizerName = "gd"
    batch_size: BatchSize | None = Field(None, description="None: the whole training set.")
    l2: L2 = 0.0


class RunConfigModel(HyperparametersModel):
    """Everything that defines a run: data, network, initialization, optimizer and seed."""

    dataset: DataModel = DatasetModel()
    layers: list[LayerModel] = Field(default_factory=lambda: [LayerModel()], max_length=32)
    output: OutputActivation | None = Field(
        None, description="Output activation; default follows the dataset's task."
    )
    init: InitModel = InitModel()
    seed: Seed = Field(3, description="Seeds the initial weights and the mini-batch order.")

    def output_for(self, task: str) -> str:
        """The output activation for a dataset task, or ValueError if it does not fit."""
        output = self.output or DEFAULT_OUTPUT[task]
        if output not in OUTPUTS_FOR_TASK[task]:
            raise RequestError(
                "output",
                "output_fits_task",
                f"output {output!r} does not fit a {task} dataset; "
                f"allowed: {', '.join(OUTPUTS_FOR_TASK[task])}",
            )
        return output

    def network_config(self, n_x: int, task: str, n_classes: int | None) -> NetworkConfig:
        """The engine's network for inputs of size n_x and a dataset task."""
        output = self.output_for(task)
        n_out = (n_classes or 2) if output == "softmax" else 1
        return NetworkConfig(
            layer_dims=(n_x, *(layer.units for layer in self.layers), n_out),
            activations=(*(layer.activation for layer in self.layers), output),
            init=self.init.name,
            init_scale=self.init.scale,
            seed=self.seed,
        )

    def train_config(self) -> TrainConfig:
        """The engine's hyperparameters."""
        return TrainConfig(
            learning_rate=self.learning_rate,
            optimizer=self.optimizer,
            batch_size=self.batch_size,
            l2=self.l2,
        )


class HyperparameterUpdate(Strict):
    """A live change: only the fields given change. `batch_size: null` means full batch."""

    learning_rate: LearningRate | None = None
    optimizer: OptimizerName | None = None
    batch_size: BatchSize | None = None
    l2: L2 | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, as `Trainer.update` keywords."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class RequestError(ValueError):
    """A request that passed the schema but cannot be served: names the field and the rule."""

    def __init__(
        self,
        field: str,
        rule: str,
        message: str,
        limit: int | float | None = None,
        **where: Any,
    ):
        self.field, self.rule, self.limit = field, rule, limit
        self.where = where
        """Where in a file the problem is, e.g. row=3, column="x2" (data files only)."""
        super().__init__(message)

    def item(self) -> dict[str, Any]:
        """As one entry of an error body's `errors`."""
        item = {"field": self.field, "rule": self.rule, "message": str(self), "limit": self.limit}
        return {**item, **self.where}

    def at(self, prefix: str) -> RequestError:
        """The same error with its field under `prefix` (e.g. "config.")."""
        error = type(self).__new__(type(self))
        RequestError.__init__(
            error, prefix + self.field, self.rule, str(self), self.limit, **self.where
        )
        return error


class LimitExceededError(RequestError):
    """A request within the schema's bounds but over this server's `Settings` limits."""

    def __init__(self, field: str, limit: int | float, message: str) -> None:
        super().__init__(field, "limit", message, limit)


class TooLargeError(LimitExceededError):
    """A file over the server's size limit: answered with HTTP 413 rather than 422."""


def enforce_limits(config: RunConfigModel, settings: Settings) -> None:
    """Refuse a run config over the server's limits, naming the field and the limit."""
    if len(config.layers) > settings.max_hidden_layers:
        raise LimitExceededError(
            "layers",
            settings.max_hidden_layers,
            f"at most {settings.max_hidden_layers} hidden layers, got {len(config.layers)}",
        )
    for i, layer in enumerate(config.layers):
        if layer.units > settings.max_units:
            raise LimitExceededError(
                f"layers.{i}.units",
                settings.max_units,
                f"at most {settings.max_units} units per layer, got {layer.units}",
            )
    data = config.dataset
    if isinstance(data, DrawnDataModel):
        if len(data.y) > settings.max_drawn_points:
            raise LimitExceededError(
                "dataset.y",
                settings.max_drawn_points,
                f"at most {settings.max_drawn_points} drawn points, got {len(data.y)}",
            )
        return
    if not isinstance(data, DatasetModel):
        return  # files: their limits apply as they are read (app.data)
    size = data.size or DATASETS[data.name].default_size
    if size > settings.max_samples:
        raise LimitExceededError(
            "dataset.size",
            settings.max_samples,
            f"at most {settings.max_samples} points per dataset, got {size}",
        )


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
