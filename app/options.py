"""What a server tells its clients about itself: the engine's registries, the run config's
defaults and bounds, and this server's limits. `server_options` builds it; GET /api/options
answers it whole, and the WebSocket `hello` carries its `HELLO_KEYS`, so the two never differ.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, get_args

from engine import ACTIVATIONS, DATASETS, FEATURES, INITIALIZATIONS, OPTIMIZERS
from engine.datasets import MAX_CLASSES
from engine.loaders import CSV_ACCEPT, IMAGE_SUFFIXES
from engine.losses import OUTPUTS_FOR_TASK

from .protocol import PROTOCOL_VERSION
from .runconfig import (
    DRAW_BOUNDS,
    DatasetModel,
    InitModel,
    OutputActivation,
    RunConfigModel,
    live_fields,
    number_rule,
)
from .settings import Settings

TASK_DEFAULTS = {
    "binary": {"learning_rate": 1.2},
    "multiclass": {"learning_rate": 1.2},
    "regression": {"learning_rate": 0.03},
}
"""Hyperparameters a page starts each task with. 1.2 is the course's rate for its planar data
(classification); a regression's squared error on inputs of ±5 diverges with it (the plane at
iteration 213, house prices at 151), while 0.03 learns both, with tanh or ReLU units, 4 or 8."""
TYPED_FIELDS = {
    "seed": (RunConfigModel, "seed"),
    "init.scale": (InitModel, "scale"),
    "dataset.seed": (DatasetModel, "seed"),
}
"""Number fields a page lets its users type besides the live ones, by their path in a run
config (every live number field is typed too: see `bounded_fields`)."""
LIMITS = (
    "max_hidden_layers",
    "max_units",
    "max_samples",
    "max_runs_per_session",
    "max_step_iterations",
    "max_iterations_per_frame",
    "max_run_iterations",
    "max_train_iterations",
    "max_message_bytes",
    "max_drawn_points",
    "max_csv_bytes",
    "max_csv_rows",
    "max_csv_columns",
    "max_image_bytes",
)
"""The `Settings` limits a client is told, by their `Settings` names."""
HELLO_KEYS = (
    "protocol",
    "frame_rate",
    "boundary_resolution",
    "map_resolution",
    "heavy_every",
    "limits",
)
"""The part of the options the WebSocket `hello` carries (after `type` and `server`)."""


def bounded_fields() -> dict[str, tuple[type, str]]:
    """The number fields a page lets its users type, by their path in a run config: every live
    number field of the run config (learning_rate, batch_size, l2, …), then TYPED_FIELDS."""
    live = {
        name: (RunConfigModel, name)
        for name in live_fields()
        if number_rule(RunConfigModel, name).get("type") in ("integer", "number")
    }
    return {**live, **TYPED_FIELDS}


def field_bounds(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each typed number field's rule from its model's JSON schema: type, minimum, maximum,
    exclusiveMinimum; so a page checks a value as the server will, and says why it refuses it."""
    bounds = {path: number_rule(model, name) for path, (model, name) in bounded_fields().items()}
    bounds["batch_size"]["maximum"] = min(bounds["batch_size"]["maximum"], settings.max_samples)
    return bounds


def server_options(settings: Settings) -> dict[str, Any]:
    """The engine's registries, defaults and this server's limits, to build the UI's menus."""
    return copy.deepcopy(_options(settings))


@functools.cache
def _options(settings: Settings) -> dict[str, Any]:
    # Made once per settings: the bounds read JSON schemas (~30 ms), and a hello goes out on
    # every connection, from the event loop.
    outputs = get_args(OutputActivation)
    return {
        "activations": [
            {
                "name": a.name,
                "title": a.title,
                "hidden": a.hidden,
                "output": a.name in outputs,
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
        "outputs": {task: list(names) for task, names in OUTPUTS_FOR_TASK.items()},
        "defaults": RunConfigModel().model_dump(mode="json"),
        "task_defaults": TASK_DEFAULTS,
        "bounds": field_bounds(settings),
        "limits": {name: getattr(settings, name) for name in LIMITS},
        "uploads": {"csv": list(CSV_ACCEPT), "images": list(IMAGE_SUFFIXES)},
        "draw_bounds": list(DRAW_BOUNDS),
        "max_drawn_classes": MAX_CLASSES,
        "frame_rate": settings.frame_rate,
        "boundary_resolution": settings.boundary_resolution,
        "map_resolution": settings.map_resolution,
        "heavy_every": settings.heavy_every,
        "protocol": PROTOCOL_VERSION,
    }


def hello_message(settings: Settings) -> dict[str, Any]:
    """The WebSocket `hello`: the protocol, frame rate, grid sides and limits of the options."""
    options = _options(settings)
    hello = {"type": "hello", "server": "nnplay", **{key: options[key] for key in HELLO_KEYS}}
    return copy.deepcopy(hello)
