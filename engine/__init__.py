"""nnplay's engine: fully-connected networks trained exactly as Andrew Ng's course
"Neural Networks and Deep Learning" teaches, in NumPy alone.

    from engine import Network, make_dataset
    data = make_dataset("flower", seed=1, train_fraction=1.0)
    net = Network([2, 4, 1], ["tanh", "sigmoid"], init="random", init_scale=0.01, seed=3)
    history = net.fit(data.X_train, data.Y_train, learning_rate=1.2, iterations=10000)
    net.accuracy(data.X_train, data.Y_train)

One module per concept: activations, initializations, losses, propagation, optimization,
checks (argument checks), metrics (what one forward pass tells), training, timeline (a run's
past: snapshots and exact replays), inspection,
tracing (one example's pass), gradcheck, datasets, features, and the loaders of the user's
files (csv_tables, image_sets, loading; `loaders` names them all); `network` composes them.
Imports point one way: a module imports only modules below it (tests/engine/test_imports.py),
`network` near the top, and `gradcheck` alone above it.
"""

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from .datasets import (
    DATASETS,
    Dataset,
    DatasetConfig,
    TargetScale,
    make_dataset,
    points_dataset,
)
from .errors import DivergedError
from .features import FEATURES, expand_features
from .gradcheck import GradientCheck, gradient_check
from .initializations import INITIALIZATIONS
from .loaders import (
    LoadedData,
    LoaderError,
    Standardization,
    load_csv,
    load_image_files,
    load_image_set,
    synthetic_images,
)
from .losses import LOSSES, loss_for
from .metrics import LayerStats, Scores
from .network import Network, NetworkConfig
from .optimization import OPTIMIZERS
from .timeline import Timeline
from .training import History, MiniBatches, TrainConfig, Trainer

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "FEATURES",
    "HIDDEN_ACTIVATIONS",
    "INITIALIZATIONS",
    "LOSSES",
    "OPTIMIZERS",
    "Dataset",
    "DatasetConfig",
    "DivergedError",
    "GradientCheck",
    "History",
    "LayerStats",
    "LoadedData",
    "LoaderError",
    "MiniBatches",
    "Network",
    "NetworkConfig",
    "Scores",
    "Standardization",
    "TargetScale",
    "Timeline",
    "TrainConfig",
    "Trainer",
    "expand_features",
    "gradient_check",
    "load_csv",
    "load_image_files",
    "load_image_set",
    "loss_for",
    "make_dataset",
    "points_dataset",
    "synthetic_images",
]
