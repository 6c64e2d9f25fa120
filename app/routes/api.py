"""The HTTP API: health, the registries behind the menus, dataset previews, headless training.

`router_for(settings)` makes the routes of one server: their request bodies are that server's
own (`schemas.http_models`), so /openapi.json states the limits it enforces.
"""

import threading
import time
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Body, HTTPException, Query, Request

from engine import (
    ACTIVATIONS,
    DATASETS,
    FEATURES,
    INITIALIZATIONS,
    OPTIMIZERS,
    Trainer,
)
from engine.datasets import MAX_CLASSES
from engine.loaders import CSV_ACCEPT, IMAGE_SUFFIXES
from engine.losses import OUTPUTS_FOR_TASK

from .. import data as data_sources
from ..protocol import PROTOCOL_VERSION
from ..runs import dataset_summary
from ..schemas import (
    DRAW_BOUNDS,
    DatasetModel,
    ErrorResponse,
    HyperparametersModel,
    InitModel,
    LimitExceededError,
    PreviewResponse,
    RequestError,
    RunConfigModel,
    TrainRequest,
    TrainResponse,
    enforce_limits,
    http_models,
)
from ..security import ORIGIN_REFUSED
from ..settings import Settings
from ..uploads import UploadStore
from .deps import SettingsDep, UploadsDep

ERRORS = {
    400: {"model": ErrorResponse, "description": "The body is not valid JSON."},
    413: {"model": ErrorResponse, "description": "The body is larger than the server accepts."},
    422: {"model": ErrorResponse, "description": "A field breaks a rule or a server limit."},
}
BUSY = {503: {"model": ErrorResponse, "description": "Headless training is busy; retry."}}
TRAIN_CHUNK = 100
"""Iterations between two looks at the clock in POST /api/train."""
TASK_DEFAULTS = {
    "binary": {"learning_rate": 1.2},
    "multiclass": {"learning_rate": 1.2},
    "regression": {"learning_rate": 0.03},
}
"""Hyperparameters a page starts each task with. 1.2 is the course's rate for its planar data
(classification); a regression's squared error on inputs of ±5 diverges with it (the plane at
iteration 213, house prices at 151), while 0.03 learns both, with tanh or ReLU units, 4 or 8."""
BOUNDED_FIELDS = {
    "learning_rate": (HyperparametersModel, "learning_rate"),
    "l2": (HyperparametersModel, "l2"),
    "batch_size": (HyperparametersModel, "batch_size"),
    "seed": (RunConfigModel, "seed"),
    "init.scale": (InitModel, "scale"),
    "dataset.seed": (DatasetModel, "seed"),
}
"""The number fields a page lets its users type, by their path in a run config."""


def field_bounds(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each typed number field's rule from its model's JSON schema: type, minimum, maximum,
    exclusiveMinimum; so a page checks a value as the server will, and says why it refuses it."""
    keys = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    bounds = {}
    for path, (model, name) in BOUNDED_FIELDS.items():
        field = model.model_json_schema()["properties"][name]
        members = field.get("anyOf", [field])  # `X | None`: the number, and null
        number = next(m for m in members if m.get("type") != "null")
        bounds[path] = {key: number[key] for key in keys if key in number}
        bounds[path]["nullable"] = len(members) > 1
    bounds["batch_size"]["maximum"] = min(bounds["batch_size"]["maximum"], settings.max_samples)
    return bounds


def router_for(settings: Settings) -> APIRouter:
    """The API's routes for a server with these settings."""
    bodies = http_models(settings)
    router = APIRouter(prefix="/api", tags=["api"])
    router.add_api_route("/health", read_health, methods=["GET"], responses={422: ERRORS[422]})
    router.add_api_route("/options", read_options, methods=["GET"])

    @router.post("/datasets/preview", responses={**ERRORS, **ORIGIN_REFUSED})
    def preview_dataset(
        dataset: Annotated[bodies.dataset, Body()], settings: SettingsDep
    ) -> PreviewResponse:
        """The points of a dataset config (train and test), for drawing it."""
        return preview(dataset, settings)

    @router.post("/train", responses={**ERRORS, **BUSY, **ORIGIN_REFUSED})
    def train_headless(
        request: bodies.train, settings: SettingsDep, uploads: UploadsDep
    ) -> TrainResponse:
        """Train a small network without streaming and return its history (bounded in size and
        time: past the time budget it stops with status "timeout")."""
        return train(request, settings, uploads)

    return router


def read_health(
    request: Request,
    lag_window: Annotated[
        float | None, Query(gt=0, le=30, description="Seconds of lag history.")
    ] = None,
) -> dict[str, Any]:
    """Liveness: the training thread runs; sessions and runs this process holds; event-loop lag
    (how late the loop wakes a sleeper, in ms, over the last 30 s); how uploaded files are kept
    from the server's files while they are parsed ("landlock", "chroot" or "none")."""
    state = request.app.state
    return {
        "status": "ok" if state.scheduler.alive else "degraded",
        "protocol": PROTOCOL_VERSION,
        "sessions": len(state.sessions),
        "runs": state.scheduler.run_count,
        "loop_lag": state.loop_lag.summary(lag_window),
        "upload_isolation": state.uploads.sandbox.isolation,
    }


def read_options(settings: SettingsDep) -> dict[str, Any]:
    """The engine's registries, defaults and this server's limits, to build the UI's menus."""
    return {
        "activations": [
            {
                "name": a.name,
                "title": a.title,
                "hidden": a.hidden,
                "output": a.name in ("sigmoid", "softmax", "linear"),
            }
            for a in ACTIVATIONS.values()
        ],
        "initializations": [
            {
                "name": i.name,
                "title": i.title,
                "uses_scale": i.uses_scale,
                "description": i.description,
            }
            for i in INITIALIZATIONS.values()
        ],
        "optimizers": [{"name": o.name, "title": o.title} for o in OPTIMIZERS.values()],
        "datasets": [
            {
                "name": d.name,
                "title": d.title,
                "task": d.task,
                "n_inputs": d.n_inputs,
                "default_size": min(d.default_size, settings.max_samples),
                "min_size": d.min_size,
                "max_size": min(d.max_size, settings.max_samples),
                "default_noise": d.default_noise,
                "max_noise": d.max_noise,
                "default_classes": d.default_classes,
                "max_classes": d.max_classes,
                "description": d.description,
            }
            for d in DATASETS.values()
        ],
        "features": [{"name": f.name, "label": f.label} for f in FEATURES.values()],
        "outputs": {task: list(outputs) for task, outputs in OUTPUTS_FOR_TASK.items()},
        "defaults": RunConfigModel().model_dump(mode="json"),
        "task_defaults": TASK_DEFAULTS,
        "bounds": field_bounds(settings),
        "limits": {
            "max_hidden_layers": settings.max_hidden_layers,
            "max_units": settings.max_units,
            "max_samples": settings.max_samples,
            "max_runs_per_session": settings.max_runs_per_session,
            "max_step_iterations": settings.max_step_iterations,
            "max_iterations_per_frame": settings.max_iterations_per_frame,
            "max_train_iterations": settings.max_train_iterations,
            "max_message_bytes": settings.max_message_bytes,
            "max_drawn_points": settings.max_drawn_points,
            "max_csv_bytes": settings.max_csv_bytes,
            "max_csv_rows": settings.max_csv_rows,
            "max_csv_columns": settings.max_csv_columns,
            "max_image_bytes": settings.max_image_bytes,
        },
        "uploads": {"csv": list(CSV_ACCEPT), "images": list(IMAGE_SUFFIXES)},
        "draw_bounds": list(DRAW_BOUNDS),
        "max_drawn_classes": MAX_CLASSES,
        "frame_rate": settings.frame_rate,
        "boundary_resolution": settings.boundary_resolution,
        "map_resolution": settings.map_resolution,
        "protocol": PROTOCOL_VERSION,
    }


def preview(dataset: DatasetModel, settings: Settings) -> PreviewResponse:
    """The points of a dataset config (train and test), for drawing it."""
    size = dataset.size or DATASETS[dataset.name].default_size
    if size > settings.max_samples:
        raise LimitExceededError(
            "size",
            settings.max_samples,
            f"at most {settings.max_samples} points per dataset, got {size}",
        )
    try:
        data = dataset.to_engine().build()
    except ValueError as error:
        raise RequestError("dataset", "dataset", str(error)) from None
    summary = dataset_summary(data)
    return PreviewResponse(
        name=summary["name"],
        task=summary["task"],
        n_classes=summary["n_classes"],
        bounds=tuple(summary["bounds"]),
        train=summary["train"],
        test=summary["test"],
    )


_train_slots = threading.BoundedSemaphore(2)


def train(request: TrainRequest, settings: Settings, uploads: UploadStore) -> TrainResponse:
    """Train a small network without streaming and return its history."""
    config = request.config
    enforce_limits(config, settings)
    if request.iterations > settings.max_train_iterations:
        raise LimitExceededError(
            "iterations",
            settings.max_train_iterations,
            f"at most {settings.max_train_iterations} iterations, got {request.iterations}",
        )
    if not _train_slots.acquire(timeout=1.0):
        raise HTTPException(503, "headless training is busy; retry in a moment")
    try:
        return _train(config, request.iterations, settings, uploads)
    finally:
        _train_slots.release()


def _train(
    config: RunConfigModel, iterations: int, settings: Settings, uploads: UploadStore
) -> TrainResponse:
    try:
        data = data_sources.build(config.dataset, settings, uploads).dataset
        net = config.network_config(data.n_x, data.task, data.n_classes).build()
        trainer = Trainer(
            net,
            data.X_train,
            data.Y_train,
            config.train_config(),
            seed=config.seed,
            X_test=data.X_test,
            Y_test=data.Y_test,
        )
    except RequestError as error:
        raise error.at("config.") from None
    except ValueError as error:
        raise RequestError("config", "config", str(error)) from None
    start = time.perf_counter()
    costs = []
    status = "finished"
    while trainer.iteration < iterations and trainer.diverged is None:
        costs.append(trainer.run(min(TRAIN_CHUNK, iterations - trainer.iteration)))
        if time.perf_counter() - start > settings.max_train_seconds:
            status = "timeout"
            break
    if trainer.diverged is not None:
        status = "diverged"
    scores = trainer.evaluate()
    history = np.concatenate(costs) if costs else np.empty(0)
    return TrainResponse(
        status=status,
        iterations=trainer.iteration,
        epochs=trainer.epoch,
        diverged_at=trainer.diverged.iteration if trainer.diverged else None,
        seconds=round(time.perf_counter() - start, 4),
        costs=history.tolist(),
        parameters={k: v.tolist() for k, v in net.parameters.items()},
        **scores,
    )
