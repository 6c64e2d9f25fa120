"""The HTTP API: health, the registries behind the menus, dataset previews, headless training.

`router_for(settings)` makes the routes of one server: their request bodies are that server's
own (`schemas.http_models`), so /openapi.json states the limits it enforces.
"""

import os
import threading
import time
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Body, HTTPException, Query, Request

from .. import data as data_sources
from ..errors import LimitExceededError, RequestError
from ..options import server_options
from ..protocol import PROTOCOL_VERSION
from ..runconfig import DatasetModel, RunConfigModel, enforce_limits, enforce_size, make_trainer
from ..runs import dataset_summary
from ..schemas import ErrorResponse, PreviewResponse, TrainRequest, TrainResponse, http_models
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
    """Liveness: the training thread runs; this process's id (one of `serve --workers N`'s), the
    sessions and runs it holds; event-loop lag (how late the loop wakes a sleeper, in ms, over
    the last 30 s); how uploaded files are kept from the server's files while they are parsed
    ("landlock", "chroot" or "none")."""
    state = request.app.state
    return {
        "status": "ok" if state.scheduler.alive else "degraded",
        "protocol": PROTOCOL_VERSION,
        "pid": os.getpid(),
        "sessions": len(state.sessions),
        "runs": state.scheduler.run_count,
        "loop_lag": state.loop_lag.summary(lag_window),
        "upload_isolation": state.uploads.sandbox.isolation,
    }


def read_options(settings: SettingsDep) -> dict[str, Any]:
    """The engine's registries, defaults and this server's limits, to build the UI's menus."""
    return server_options(settings)


def preview(dataset: DatasetModel, settings: Settings) -> PreviewResponse:
    """The points of a dataset config (train and test), for drawing it."""
    enforce_size(dataset, settings, "size")
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
        trainer = make_trainer(config, data)
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
        parameters={k: v.tolist() for k, v in trainer.net.parameters.items()},
        **scores,
    )
