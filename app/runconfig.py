"""The run config: the one description of a run at the app's edge, and its one conversion into
the engine's frozen configs (`DatasetConfig`, `NetworkConfig`, `TrainConfig`, then a `Trainer`).

Every entrance describes a run with `RunConfigModel`: the WebSocket `create` message, the body of
POST /api/train and `nnplay train` (whose flags are made from these fields). Its *live* fields
(marked `LIVE`: the hyperparameters a run takes while it trains) make the partial model of a
live change, `HyperparameterUpdate`, and the WebSocket `update` message; `train_config` passes
them to the engine's `TrainConfig` by name. A new hyperparameter is then one field here (and
its field in the engine's `TrainConfig`): the update message, the CLI flag, the bounds in
/api/options and the conversion follow from it.

Strict: no coercion (`"3"` is not 3, `false` is not 0), no unknown fields, no NaN or infinity.
The bounds written into the models are absolute; the server's own, usually tighter limits come
from `Settings` and are enforced by `enforce_limits`, whose errors name the field and the limit.
The names in the `Literal`s are the engine's registries: one vocabulary for engine, API and UI.
"""

from __future__ import annotations

import copy
import functools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, create_model, model_validator
from pydantic.fields import FieldInfo

from engine import (
    DATASETS,
    FEATURES,
    HIDDEN_ACTIVATIONS,
    INITIALIZATIONS,
    OPTIMIZERS,
    Dataset,
    DatasetConfig,
    NetworkConfig,
    TrainConfig,
    Trainer,
)
from engine.datasets import MAX_CLASSES, MAX_SIZE, MIN_SIZE
from engine.losses import DEFAULT_OUTPUT, OUTPUTS_FOR_TASK

from .errors import LimitExceededError, RequestError
from .settings import Settings


class Live:
    """Marks a run config field as live: it may change while the run trains, without a reset
    (`Annotated[float, Field(...), LIVE]`). Its name is the engine's `TrainConfig` field."""

    def __repr__(self) -> str:
        return "LIVE"


LIVE = Live()

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
L1 = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False, description="L1 penalty λ₁.")]


class Strict(BaseModel):
    """Base of every request model: strict types, no extra fields, no NaN, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


class DatasetModel(Strict):
    """Which points to train on. `size` and `noise` default to the dataset's own."""

    kind: Literal["builtin"] = "builtin"
    name: DatasetName = Field("flower", description="Built-in dataset.")
    size: int | None = Field(
        None, ge=MIN_SIZE, le=MAX_SIZE, description="Number of points; None: the dataset's own."
    )
    noise: float | None = Field(
        None, ge=0, le=10, description="Noise level (dataset's unit); None: the dataset's own."
    )
    train_fraction: float = Field(0.8, gt=0, le=1, description="Share of points for training.")
    seed: Seed = Field(0, description="Seeds the points and their train/test split.")
    features: list[FeatureName] = Field(
        default_factory=list,
        max_length=len(FEATURES),
        description="Derived inputs, each at most once.",
        json_schema_extra={"uniqueItems": True},
    )
    n_classes: int | None = Field(
        None,
        ge=2,
        le=MAX_CLASSES,
        description="Number of classes, multi-class datasets only; None: the dataset's own.",
    )

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
    task: Literal["binary", "multiclass", "regression", "classes"] | None = Field(
        None,
        description='None: inferred from the label column; "classes": binary for two labels, '
        "multiclass for more.",
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

    units: int = Field(4, ge=1, le=1024, description="Units of the layer.")
    activation: HiddenActivation = Field("tanh", description="Activation of the layer.")


class InitModel(Strict):
    """Initialization by name; `scale` is the standard deviation of "random"."""

    name: InitName = Field("random", description="Initialization of the weights.")
    scale: float = Field(0.01, ge=0, le=100, description='Standard deviation of "random".')


class RunConfigModel(Strict):
    """Everything that defines a run: data, network, initialization, optimizer and seed.

    The fields marked LIVE can change while the run trains, without resetting it."""

    learning_rate: Annotated[LearningRate, LIVE] = 1.2
    optimizer: Annotated[OptimizerName, LIVE] = Field("gd", description="Update rule.")
    batch_size: Annotated[BatchSize | None, LIVE] = Field(
        None, description="Mini-batch size; None: the whole training set."
    )
    l2: Annotated[L2, LIVE] = 0.0
    l1: Annotated[L1, LIVE] = 0.0
    dataset: DataModel = DatasetModel()
    layers: list[LayerModel] = Field(default_factory=lambda: [LayerModel()], max_length=32)
    output: OutputActivation | None = Field(
        None,
        description="Output activation; None: the dataset's task's (sigmoid for two classes, "
        "softmax for several, linear for regression).",
    )
    init: InitModel = InitModel()
    seed: Seed = Field(3, description="Seeds the initial weights and the mini-batch order.")

    def output_for(self, task: str) -> str:
        """The output activation for a dataset task, or RequestError if it does not fit."""
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
        """The engine's network for inputs of size n_x and a dataset task (a softmax output has
        a unit per class, two-class data included)."""
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
        """The engine's hyperparameters: the live fields, by name."""
        return TrainConfig(**{name: getattr(self, name) for name in live_fields(type(self))})


def live_fields(model: type[BaseModel] = RunConfigModel) -> dict[str, FieldInfo]:
    """The fields of a run config marked LIVE, in order: what a live update may change."""
    return {
        name: field
        for name, field in model.model_fields.items()
        if any(isinstance(m, Live) for m in field.metadata)
    }


def partial_fields(model: type[BaseModel] = RunConfigModel) -> dict[str, Any]:
    """The live fields as optional fields (default None, bounds kept), for `create_model`:
    the partial form of a run config that a live change sends."""
    fields = {}
    for name, field in live_fields(model).items():
        annotation = Annotated[(field.annotation, *field.metadata)]
        fields[name] = (annotation | None, Field(None, description=field.description))
    return fields


NULLABLE_LIVE_FIELDS = frozenset(
    name for name, field in live_fields().items() if field.default is None
)
"""Live fields whose `null` means something (batch_size: the full batch); a live change may
send null for these only."""


class _Changes(Strict):
    def changes(self) -> dict[str, Any]:
        """The fields the client sent, as `Trainer.update` keywords."""
        return {name: getattr(self, name) for name in self.model_fields_set}


HyperparameterUpdate = create_model(
    "HyperparameterUpdate",
    __base__=_Changes,
    __doc__="A live change: only the fields given change. `batch_size: null` means full batch.",
    __module__=__name__,
    **partial_fields(),
)


def make_trainer(config: RunConfigModel, data: Dataset) -> Trainer:
    """A fresh network and its trainer for a run config on its data: the one conversion every
    entrance uses (a RequestError names the field; the engine's ValueError says its rule)."""
    net = config.network_config(data.n_x, data.task, data.n_classes).build()
    return Trainer(
        net,
        data.X_train,
        data.Y_train,
        config.train_config(),
        seed=config.seed,
        X_test=data.X_test,
        Y_test=data.Y_test,
    )


@functools.cache
def _properties(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()["properties"]  # a few ms each time pydantic makes it


def field_schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The JSON schema of a field's value: its non-null member if it also takes null (a copy)."""
    field = _properties(model)[name]
    members = field.get("anyOf", [field])  # `X | None`: the value, and null
    return copy.deepcopy(next(m for m in members if m.get("type") != "null"))


def number_rule(model: type[BaseModel], name: str) -> dict[str, Any]:
    """A number field's rule from its model's JSON schema: type, minimum, maximum,
    exclusiveMinimum, exclusiveMaximum, and whether it takes null."""
    keys = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    field = _properties(model)[name]
    members = field.get("anyOf", [field])
    number = field_schema(model, name)
    rule = {key: number[key] for key in keys if key in number}
    rule["nullable"] = len(members) > 1
    return rule


def enforce_limits(config: RunConfigModel, settings: Settings) -> None:
    """Refuse a run config over the server's limits, naming the field and the limit."""
    if len(config.layers) > settings.max_hidden_layers:
        raise LimitExceededError(
            "layers",
            settings.max_hidden_layers,
            f"at most {settings.max_hidden_layers} hidden layers, got {len(config.layers)}",
            setting="max_hidden_layers",
        )
    for i, layer in enumerate(config.layers):
        if layer.units > settings.max_units:
            raise LimitExceededError(
                f"layers.{i}.units",
                settings.max_units,
                f"at most {settings.max_units} units per layer, got {layer.units}",
                setting="max_units",
            )
    data = config.dataset
    if isinstance(data, DrawnDataModel):
        if len(data.y) > settings.max_drawn_points:
            raise LimitExceededError(
                "dataset.y",
                settings.max_drawn_points,
                f"at most {settings.max_drawn_points} drawn points, got {len(data.y)}",
                setting="max_drawn_points",
            )
        return
    if not isinstance(data, DatasetModel):
        return  # files: their limits apply as they are read (app.data)
    enforce_size(data, settings, "dataset.size")


def enforce_size(data: DatasetModel, settings: Settings, field: str) -> None:
    """Refuse a built-in dataset of more than `max_samples` points (its default size counts)."""
    size = data.size or DATASETS[data.name].default_size
    if size > settings.max_samples:
        raise LimitExceededError(
            field,
            settings.max_samples,
            f"at most {settings.max_samples} points per dataset, got {size}",
            setting="max_samples",
        )
