"""Seeded toy datasets for the playground, in the shapes of Andrew Ng's course.

Every dataset is built by one entry point, ``make_dataset``, from a registry of generators
(``DATASETS``). Inputs X are (n_x, m) with one column per example and targets Y are (1, m), as in
"Neural Networks and Deep Learning"; no result is ever a rank-1 array.

Reproducibility: all randomness comes from one ``np.random.default_rng(seed)``. The generator
first draws the points, then the same generator draws one permutation of all m examples that
splits them into train and test. Each generator draws the same numbers whatever the noise level
(noise only scales them), so moving the noise slider with a fixed seed jitters the same points by
a different amount and keeps the same train/test split.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .checks import check_int, check_real
from .features import expand_features, validate_features

Task = Literal["binary", "multiclass", "regression"]
# generate(m, noise, rng, n_classes) -> (X (n_inputs, m), Y (1, m))
GenerateFn = Callable[[int, float, np.random.Generator, int | None], tuple[np.ndarray, np.ndarray]]

TASKS: tuple[str, ...] = ("binary", "multiclass", "regression")
MIN_SIZE = 10
MAX_SIZE = 5000
DEFAULT_CLASSES = 3
MAX_CLASSES = 6
# Plot range = data range widened by this fraction of the span on each side.
BOUNDS_MARGIN = 0.1

# Flower: the course's planar data set ("a" is the maximum petal length).
FLOWER_PETAL_LENGTH = 4.0
FLOWER_THETA_SPAN = 3.12
# Circles: TensorFlow Playground geometry (radius 5 field, inner disc, outer ring).
CIRCLE_INNER_RADIUS = (0.0, 2.0)
CIRCLE_OUTER_RADIUS = (3.5, 5.0)
# XOR: TensorFlow Playground's square and the padding that keeps points off the axes.
XOR_HALF_WIDTH = 5.0
XOR_AXIS_PADDING = 0.3
# Two Gaussians: TensorFlow Playground centres.
GAUSSIAN_CENTRES = ((2.0, 2.0), (-2.0, -2.0))
# Binary spiral: TensorFlow Playground's radius and number of turns.
SPIRAL_RADIUS = 5.0
SPIRAL_TURNS = 1.75
# Quantiles: spread of the underlying isotropic Gaussian.
QUANTILES_STD = 2.0
# Curves: points uniform on the square [-5, 5]², labelled by whether x2 lies above y = f(x1),
# each f scaled to span most of the square's height (TensorFlow Playground users' request).
CURVE_HALF_WIDTH = 5.0
SINE_AMPLITUDE = 3.0
CUBIC_SCALE = 4.0 / 125.0  # f(±5) = ±4
ABS_OFFSET = 2.5  # f(0) = -2.5, f(±5) = 2.5
CURVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: SINE_AMPLITUDE * np.sin(x),
    "cubic": lambda x: CUBIC_SCALE * x**3,
    "abs": lambda x: np.abs(x) - ABS_OFFSET,
}
"""y = f(x) of each curve dataset, over x in [-CURVE_HALF_WIDTH, CURVE_HALF_WIDTH]."""
# Multiclass blobs sit evenly on a circle of this radius.
BLOBS_RADIUS = 3.0
# Multiclass spiral arms (CS231n): each arm sweeps this many radians, radius grows 0 -> 1.
SPIRALS_THETA_SPAN = 4.0
# Plane: y = w1*x1 + w2*x2 + noise over x in [-5, 5]².
PLANE_HALF_WIDTH = 5.0
PLANE_WEIGHTS = (1.0 / 3.0, 2.0 / 3.0)
# House: size in thousands of sq ft, price in $100k; price is zero below the knee then linear.
HOUSE_SIZE_RANGE = (0.5, 5.0)
HOUSE_KNEE = 1.0
HOUSE_SLOPE = 1.0


@dataclass(frozen=True)
class DatasetSpec:
    """Description of one registered dataset and the limits of its arguments.

    ``generate(m, noise, rng, n_classes)`` returns X of shape (n_inputs, m), float64, and Y of
    shape (1, m): float64 0.0/1.0 (binary), int64 0..C-1 (multiclass) or float64 (regression).
    ``n_classes`` is None except for multiclass sets.
    """

    name: str
    title: str
    task: Task
    n_inputs: int
    default_size: int
    min_size: int
    max_size: int
    default_noise: float
    max_noise: float
    default_classes: int | None
    max_classes: int | None
    description: str
    generate: GenerateFn


@dataclass(frozen=True)
class TargetScale:
    """How raw regression targets became Y: y' = (y − mean) / std, the course's standardization
    of features applied to the target.

    mean and std come from the training examples only (std is the population standard deviation,
    as np.std; 1.0 if the training targets are all equal) and are applied unchanged to the test
    examples. ``invert`` gives a prediction back in the data's own units.
    """

    mean: float
    std: float

    @classmethod
    def of(cls, Y_train: np.ndarray) -> TargetScale:
        """The standardization of raw training targets Y_train (1, m_train)."""
        std = float(np.std(Y_train))
        return cls(float(np.mean(Y_train)), std if std > 0.0 else 1.0)

    def apply(self, Y_raw: np.ndarray) -> np.ndarray:
        """Raw targets (any shape) → standardized."""
        return (np.asarray(Y_raw, dtype=np.float64) - self.mean) / self.std

    def invert(self, Y: np.ndarray) -> np.ndarray:
        """Standardized values (targets or a network's predictions) → the data's units."""
        return np.asarray(Y) * self.std + self.mean


@dataclass(frozen=True, eq=False)
class Dataset:
    """A generated dataset, split into train and test. Arrays are read-only.

    Shapes: X_train (n_x, m_train), Y_train (1, m_train), X_test (n_x, m_test), Y_test
    (1, m_test); m_test may be 0. X is float64; rows 0..n_inputs-1 are the raw inputs and any
    derived ``features`` rows follow. Y is float64 0.0/1.0 (binary), int64 0..C-1 (multiclass) or
    float64 (regression). ``n_classes`` is 2 (binary), C (multiclass) or None (regression).

    ``bounds`` is the plot range (x1_min, x1_max, x2_min, x2_max) of the raw 2-D inputs over all
    m points (train and test), widened by 10% of the span on each side and rounded outward. For
    the 1-D house set it is (x_min, x_max, y_min, y_max) of the input and the target.

    ``target_scale`` is set when the regression targets were standardized (Y = (Y_raw − mean) /
    std, see ``TargetScale``); ``bounds`` stay in the raw units. None: Y as generated.
    """

    name: str
    task: Task
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    n_classes: int | None
    bounds: tuple[float, float, float, float]
    features: tuple[str, ...]
    target_scale: TargetScale | None = None

    @property
    def n_x(self) -> int:
        """Number of input rows, raw plus derived."""
        return self.X_train.shape[0]

    @property
    def n_inputs(self) -> int:
        """Number of raw input rows (2, or 1 for the house set)."""
        return self.n_x - len(self.features)

    @property
    def m_train(self) -> int:
        return self.X_train.shape[1]

    @property
    def m_test(self) -> int:
        return self.X_test.shape[1]


# ---------------------------------------------------------------------------------------------
# Generators. Each returns X (n_inputs, m) float64 and Y (1, m). The draw order inside each one
# is part of the reproducibility contract: change it and every seed gives different data.
# ---------------------------------------------------------------------------------------------


def _class_sizes(m: int, n_classes: int) -> list[int]:
    """Split m examples over classes as evenly as possible; the first classes get the extras."""
    base, extra = divmod(m, n_classes)
    return [base + (1 if j < extra else 0) for j in range(n_classes)]


def _binary_labels(sizes: Sequence[int]) -> np.ndarray:
    """(1, m) float64 labels: sizes[0] zeros then sizes[1] ones."""
    return np.repeat(np.array([0.0, 1.0]), sizes).reshape(1, -1)


def _multiclass_labels(sizes: Sequence[int]) -> np.ndarray:
    """(1, m) int64 labels: sizes[0] zeros, sizes[1] ones, ..."""
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes).reshape(1, -1)


def _polar(r: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(2, n) points (r sin t, r cos t): the course's flower convention, x1 from sin."""
    return np.vstack([r * np.sin(t), r * np.cos(t)])


def _flower(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # The course's load_planar_dataset with np.random.randn replaced by rng.standard_normal, in
    # the same order: per class, theta jitter then radius jitter. Odd m: class 0 gets the extra.
    sizes = _class_sizes(m, 2)
    parts = []
    for j, n in enumerate(sizes):
        t = np.linspace(j * FLOWER_THETA_SPAN, (j + 1) * FLOWER_THETA_SPAN, n)
        t = t + rng.standard_normal(n) * noise
        r = FLOWER_PETAL_LENGTH * np.sin(4 * t) + rng.standard_normal(n) * noise
        parts.append(_polar(r, t))
    return np.hstack(parts), _binary_labels(sizes)


def _circles(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # Class 0 is the outer ring, class 1 the inner disc (TF Playground colours the disc
    # positive). Radius is uniform, not area-uniform, as in the Playground.
    sizes = _class_sizes(m, 2)
    parts = []
    for (r_lo, r_hi), n in zip((CIRCLE_OUTER_RADIUS, CIRCLE_INNER_RADIUS), sizes, strict=True):
        r = rng.uniform(r_lo, r_hi, n)
        t = rng.uniform(0.0, 2.0 * np.pi, n)
        parts.append(_polar(r, t))
    X = np.hstack(parts) + rng.standard_normal((2, m)) * noise
    return X, _binary_labels(sizes)


def _moons(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # sklearn's make_moons geometry: class 0 the upper half circle, class 1 the lower one shifted
    # right; points evenly spaced along each arc, then Gaussian jitter.
    n_outer, n_inner = _class_sizes(m, 2)
    s_outer = np.linspace(0.0, np.pi, n_outer)
    s_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.vstack([np.cos(s_outer), np.sin(s_outer)])
    inner = np.vstack([1.0 - np.cos(s_inner), 1.0 - np.sin(s_inner) - 0.5])
    X = np.hstack([outer, inner]) + rng.standard_normal((2, m)) * noise
    return X, _binary_labels([n_outer, n_inner])


def _xor(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # TF Playground XOR: uniform square, pushed away from the axes so the quadrant of each point
    # is unambiguous; label 1 when x1*x2 >= 0. Labels come from the clean point, the jitter
    # afterwards is the noise.
    X = rng.uniform(-XOR_HALF_WIDTH, XOR_HALF_WIDTH, (2, m))
    X = X + np.where(X >= 0.0, XOR_AXIS_PADDING, -XOR_AXIS_PADDING)
    Y = (X[0:1] * X[1:2] >= 0.0).astype(np.float64)
    X = X + rng.standard_normal((2, m)) * noise
    return X, Y


def _gaussians(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # Class 1 around (2, 2), class 0 around (-2, -2); noise is the standard deviation.
    sizes = _class_sizes(m, 2)
    centres = np.array([GAUSSIAN_CENTRES[1], GAUSSIAN_CENTRES[0]]).T  # (2, 2), column per class
    X = np.repeat(centres, sizes, axis=1) + rng.standard_normal((2, m)) * noise
    return X, _binary_labels(sizes)


def _spiral(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # TF Playground spiral: two arms half a turn apart, radius growing 0 -> 5 over 1.75 turns;
    # the arms themselves are deterministic, only the jitter is random.
    sizes = _class_sizes(m, 2)
    parts = []
    for j, n in enumerate(sizes):
        s = np.arange(n) / n
        offset = 0.0 if j == 1 else np.pi
        parts.append(_polar(SPIRAL_RADIUS * s, SPIRAL_TURNS * 2.0 * np.pi * s + offset))
    X = np.hstack(parts) + rng.standard_normal((2, m)) * noise
    return X, _binary_labels(sizes)


def _quantiles(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # sklearn make_gaussian_quantiles with two classes, labelled by rank of the distance from the
    # centre so the classes are balanced exactly; the inner half is class 1 (like circles).
    n_inner = _class_sizes(m, 2)[1]
    X = rng.standard_normal((2, m)) * QUANTILES_STD
    order = np.argsort(np.hypot(X[0], X[1]), kind="stable")
    Y = np.zeros((1, m))
    Y[0, order[:n_inner]] = 1.0
    X = X + rng.standard_normal((2, m)) * noise
    return X, Y


def _above(f: Callable[[np.ndarray], np.ndarray]) -> GenerateFn:
    """The generator of a curve dataset: label 1 where x2 > f(x1), 0 on or below the curve."""

    def generate(
        m: int, noise: float, rng: np.random.Generator, n_classes: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        # As XOR: a uniform square, labels from the clean points, then the jitter is the noise.
        X = rng.uniform(-CURVE_HALF_WIDTH, CURVE_HALF_WIDTH, (2, m))
        Y = (X[1:2] > f(X[0:1])).astype(np.float64)
        X = X + rng.standard_normal((2, m)) * noise
        return X, Y

    return generate


def _blobs(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # Class k centred at angle 2*pi*k/C on a circle of radius 3; noise is the standard deviation.
    C = DEFAULT_CLASSES if n_classes is None else n_classes
    sizes = _class_sizes(m, C)
    angles = 2.0 * np.pi * np.arange(C) / C
    centres = BLOBS_RADIUS * np.vstack([np.cos(angles), np.sin(angles)])  # (2, C)
    X = np.repeat(centres, sizes, axis=1) + rng.standard_normal((2, m)) * noise
    return X, _multiclass_labels(sizes)


def _spirals(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # CS231n's spiral data: arm j has radius linspace(0, 1) and angle linspace(4j, 4j + 4) plus
    # Gaussian angle jitter of std noise (radians), drawn per class in class order.
    C = DEFAULT_CLASSES if n_classes is None else n_classes
    sizes = _class_sizes(m, C)
    parts = []
    for j, n in enumerate(sizes):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(j * SPIRALS_THETA_SPAN, (j + 1) * SPIRALS_THETA_SPAN, n)
        t = t + rng.standard_normal(n) * noise
        parts.append(_polar(r, t))
    return np.hstack(parts), _multiclass_labels(sizes)


def _plane(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # y = x1/3 + 2*x2/3 + N(0, noise²): a linear model can fit it exactly when noise is 0.
    X = rng.uniform(-PLANE_HALF_WIDTH, PLANE_HALF_WIDTH, (2, m))
    Y = np.array([PLANE_WEIGHTS]) @ X + rng.standard_normal((1, m)) * noise
    return X, Y


def _house(
    m: int, noise: float, rng: np.random.Generator, n_classes: int | None
) -> tuple[np.ndarray, np.ndarray]:
    # The course's first picture: price is 0 below the knee, then rises linearly (a ReLU).
    # Clipping at 0 after the jitter keeps prices non-negative, as in the picture.
    X = rng.uniform(*HOUSE_SIZE_RANGE, (1, m))
    price = HOUSE_SLOPE * np.maximum(0.0, X - HOUSE_KNEE)
    Y = np.maximum(0.0, price + rng.standard_normal((1, m)) * noise)
    return X, Y


def _spec(
    name: str,
    title: str,
    task: Task,
    generate: GenerateFn,
    description: str,
    *,
    default_size: int,
    default_noise: float,
    max_noise: float,
    n_inputs: int = 2,
) -> DatasetSpec:
    multiclass = task == "multiclass"
    return DatasetSpec(
        name=name,
        title=title,
        task=task,
        n_inputs=n_inputs,
        default_size=default_size,
        min_size=MIN_SIZE,
        max_size=MAX_SIZE,
        default_noise=default_noise,
        max_noise=max_noise,
        default_classes=DEFAULT_CLASSES if multiclass else None,
        max_classes=MAX_CLASSES if multiclass else None,
        description=description,
        generate=generate,
    )


# Insertion order is the order the UI lists the datasets in.
DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "flower",
            "Flower (course, planar)",
            "binary",
            _flower,
            "The course's planar data: two classes of points on the petals of a rose curve.",
            default_size=400,
            default_noise=0.2,
            max_noise=1.0,
        ),
        _spec(
            "circles",
            "Circle",
            "binary",
            _circles,
            "A disc of one class inside a ring of the other, as in TensorFlow Playground.",
            default_size=300,
            default_noise=0.1,
            max_noise=1.0,
        ),
        _spec(
            "moons",
            "Two moons",
            "binary",
            _moons,
            "Two interleaving half circles, as in scikit-learn's make_moons.",
            default_size=300,
            default_noise=0.1,
            max_noise=0.5,
        ),
        _spec(
            "xor",
            "Exclusive or (XOR)",
            "binary",
            _xor,
            "Points in four quadrants, labelled 1 where x1 and x2 have the same sign.",
            default_size=300,
            default_noise=0.2,
            max_noise=2.0,
        ),
        _spec(
            "gaussians",
            "Two Gaussians",
            "binary",
            _gaussians,
            "Two Gaussian clouds centred at (2, 2) and (-2, -2), linearly separable when tight.",
            default_size=300,
            default_noise=1.0,
            max_noise=3.0,
        ),
        _spec(
            "spiral",
            "Spiral",
            "binary",
            _spiral,
            "Two interleaved spiral arms, as in TensorFlow Playground.",
            default_size=400,
            default_noise=0.0,
            max_noise=1.0,
        ),
        _spec(
            "quantiles",
            "Gaussian quantiles",
            "binary",
            _quantiles,
            "One Gaussian cloud split by distance from its centre into an inner and outer half.",
            default_size=300,
            default_noise=0.0,
            max_noise=1.0,
        ),
        _spec(
            "sine",
            "Sine (curve y = 3 sin x1)",
            "binary",
            _above(CURVES["sine"]),
            "Points above or below the curve y = 3 sin(x1).",
            default_size=300,
            default_noise=0.2,
            max_noise=2.0,
        ),
        _spec(
            "cubic",
            "Cubic (curve y = 4 (x1/5)³)",
            "binary",
            _above(CURVES["cubic"]),
            "Points above or below the curve y = 4 (x1/5)³.",
            default_size=300,
            default_noise=0.2,
            max_noise=2.0,
        ),
        _spec(
            "abs",
            "|x| (curve y = |x1| − 2.5)",
            "binary",
            _above(CURVES["abs"]),
            "Points above or below the curve y = |x1| − 2.5, a V.",
            default_size=300,
            default_noise=0.2,
            max_noise=2.0,
        ),
        _spec(
            "blobs",
            "Blobs (multiclass)",
            "multiclass",
            _blobs,
            "One Gaussian cloud per class, with the centres evenly spaced on a circle.",
            default_size=300,
            default_noise=0.8,
            max_noise=3.0,
        ),
        _spec(
            "spirals",
            "Spiral arms (multiclass, CS231n)",
            "multiclass",
            _spirals,
            "One spiral arm per class, as in Stanford CS231n's softmax example.",
            default_size=300,
            default_noise=0.2,
            max_noise=1.0,
        ),
        _spec(
            "plane",
            "Plane (regression)",
            "regression",
            _plane,
            "A noisy linear surface y = x1/3 + 2*x2/3 over the square [-5, 5]².",
            default_size=200,
            default_noise=0.1,
            max_noise=2.0,
        ),
        _spec(
            "house",
            "House prices (course, 1-D)",
            "regression",
            _house,
            "The course's opening example: price is zero for tiny houses, then grows with size.",
            default_size=100,
            default_noise=0.1,
            max_noise=1.0,
            n_inputs=1,
        ),
    )
}


def dataset_names() -> list[str]:
    """Registered dataset names, in display order."""
    return list(DATASETS)


# ---------------------------------------------------------------------------------------------
# Bounds of the plot, and read-only splits. Argument checks are in `checks.py`.
# ---------------------------------------------------------------------------------------------


def _nice_range(lo: float, hi: float) -> tuple[float, float]:
    """Widen [lo, hi] by BOUNDS_MARGIN of its span on each side and round outward.

    Rounds to half of one decimal place below the order of magnitude of the widened span (span
    ~10 -> multiples of 0.5, span ~2 -> multiples of 0.05), which gives tidy axis limits.
    """
    span = hi - lo
    if span <= 0.0:
        # All points equal: invent a span so the plot still has a visible window.
        span = max(abs(lo), 1.0)
    lo, hi = lo - BOUNDS_MARGIN * span, hi + BOUNDS_MARGIN * span
    step = 0.5 * 10.0 ** (math.floor(math.log10(hi - lo)) - 1)
    # round() only removes float dust like 0.30000000000000004; the margin keeps the data inside.
    return round(math.floor(lo / step) * step, 10), round(math.ceil(hi / step) * step, 10)


def plot_bounds(
    X_raw: np.ndarray, Y: np.ndarray, n_inputs: int
) -> tuple[float, float, float, float]:
    """(x_lo, x_hi, y_lo, y_hi) of the plot: for 2-D inputs the input plane, for 1-D inputs the
    input on the horizontal axis and the target on the vertical; tidy limits with a margin."""
    first = X_raw[0]
    second = X_raw[1] if n_inputs == 2 else Y[0]
    x_lo, x_hi = _nice_range(float(first.min()), float(first.max()))
    y_lo, y_hi = _nice_range(float(second.min()), float(second.max()))
    return x_lo, x_hi, y_lo, y_hi


def read_only(a: np.ndarray) -> np.ndarray:
    """a as a C-contiguous array that refuses writes (a copy only if a is not contiguous)."""
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def make_dataset(
    name: str,
    n_samples: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    train_fraction: float = 0.8,
    features: Sequence[str] = (),
    n_classes: int | None = None,
    standardize_targets: bool = False,
) -> Dataset:
    """Generate a registered dataset and split it into train and test sets.

    Args:
        name: a key of ``DATASETS``.
        n_samples: total number of examples m (train + test), an int in [min_size, max_size];
            None means the dataset's default_size.
        noise: in [0, max_noise]; its meaning depends on the dataset (see each description and
            generator); None means the dataset's default_noise.
        seed: non-negative int; same arguments give bit-identical arrays.
        train_fraction: in (0, 1]; m_train = round(train_fraction * m), at least 1. With 1.0 the
            test arrays have shape (n_x, 0).
        features: derived feature names from ``engine.features.FEATURES``; only for datasets with
            2 raw inputs. They become extra rows after the raw ones.
        n_classes: only for multiclass datasets, an int in [2, max_classes]; None means
            default_classes.
        standardize_targets: regression only: Y = (Y_raw − mean) / std with the mean and std of
            the training targets, recorded as ``target_scale``. A squared error on raw targets
            grows with their scale, and so does the largest learning rate that still converges.

    Returns:
        A ``Dataset`` with X_train (n_x, m_train), Y_train (1, m_train), X_test (n_x, m_test),
        Y_test (1, m_test), where n_x = n_inputs + len(features).

    Raises:
        ValueError: for any invalid argument, naming the argument and the allowed values.
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"Unknown dataset name {name!r}; allowed names are: {', '.join(DATASETS)}")
    spec = DATASETS[name]

    if n_samples is None:
        n_samples = spec.default_size
    m = check_int("n_samples", n_samples, spec.min_size, spec.max_size)

    if noise is None:
        noise = spec.default_noise
    allowed_noise = f"a finite number in [0, {spec.max_noise}] for dataset {name!r}"
    noise = check_real("noise", noise, allowed_noise)
    if not 0.0 <= noise <= spec.max_noise:
        raise ValueError(f"noise must be {allowed_noise}; got {noise}")

    seed = check_int("seed", seed, 0)

    allowed_fraction = "a number in (0, 1]"
    train_fraction = check_real("train_fraction", train_fraction, allowed_fraction)
    if not 0.0 < train_fraction <= 1.0:
        raise ValueError(f"train_fraction must be {allowed_fraction}; got {train_fraction}")

    if spec.task == "multiclass":
        if n_classes is None:
            n_classes = spec.default_classes
        n_classes = check_int("n_classes", n_classes, 2, spec.max_classes or MAX_CLASSES)
    elif n_classes is not None:
        raise ValueError(
            f"n_classes must be None for the {spec.task} dataset {name!r} (only multiclass "
            f"datasets take it); got {n_classes!r}"
        )

    feature_tuple = validate_features(features)
    if feature_tuple and spec.n_inputs != 2:
        raise ValueError(
            f"features must be empty for dataset {name!r}, which has {spec.n_inputs} raw input; "
            f"got {feature_tuple!r}"
        )

    rng = np.random.default_rng(seed)
    X_raw, Y = spec.generate(m, noise, rng, n_classes)
    # The split permutation is drawn after the points, from the same generator.
    perm = rng.permutation(m)
    m_train = max(1, round(train_fraction * m))
    train_idx, test_idx = perm[:m_train], perm[m_train:]

    X = expand_features(X_raw, feature_tuple) if feature_tuple else X_raw
    bounds = plot_bounds(X_raw, Y, spec.n_inputs)
    scale = None
    if standardize_targets and spec.task == "regression":
        scale = TargetScale.of(Y[:, train_idx])
        Y = scale.apply(Y)
    return Dataset(
        name=name,
        task=spec.task,
        X_train=read_only(X[:, train_idx]),
        Y_train=read_only(Y[:, train_idx]),
        X_test=read_only(X[:, test_idx]),
        Y_test=read_only(Y[:, test_idx]),
        n_classes=2 if spec.task == "binary" else n_classes,
        bounds=bounds,
        features=feature_tuple,
        target_scale=scale,
    )


def points_dataset(
    X_raw: np.ndarray,
    y: np.ndarray,
    n_classes: int = 2,
    *,
    train_fraction: float = 0.8,
    seed: int = 0,
    features: Sequence[str] = (),
    bounds: Sequence[float] | None = None,
    name: str = "drawn",
) -> Dataset:
    """A classification dataset from given points, e.g. drawn by hand, split into train and test.

    Args:
        X_raw: (2, m) float coordinates x1, x2 of the m points.
        y: (m,) or (1, m) whole-number classes 0 … n_classes-1.
        n_classes: 2 gives a binary set (Y float 0.0/1.0), 3 … MAX_CLASSES a multiclass set
            (Y int64). Every class need not appear, but at least two classes must.
        train_fraction, seed: the split, as in ``make_dataset``: a permutation drawn from
            ``np.random.default_rng(seed)``, m_train = max(1, round(train_fraction · m)).
        features: derived feature names, rows appended after x1, x2.
        bounds: the plot range (x1_min, x1_max, x2_min, x2_max), e.g. the plane drawn on; None
            takes the points' own range, as ``make_dataset`` does.

    Raises:
        ValueError: bad shapes, non-finite coordinates, labels outside the classes, fewer than
            two points or fewer than two classes.
    """
    X_raw = np.asarray(X_raw, dtype=np.float64)
    if X_raw.ndim != 2 or X_raw.shape[0] != 2:
        raise ValueError(f"X_raw must have shape (2, m); got {X_raw.shape}")
    m = X_raw.shape[1]
    n_classes = check_int("n_classes", n_classes, 2, MAX_CLASSES)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[0] == 1:
        y = y[0]
    if y.shape != (m,):
        raise ValueError(f"y must have shape ({m},) to match X_raw; got {y.shape}")
    if not np.isfinite(X_raw).all():
        raise ValueError("X_raw must hold finite coordinates")
    if y.dtype.kind not in "iu" or (m and (y.min() < 0 or y.max() >= n_classes)):
        raise ValueError(f"y must hold whole-number classes 0 … {n_classes - 1}")
    if m < 2:
        raise ValueError(f"at least 2 points are needed; got {m}")
    if np.unique(y).size < 2:
        raise ValueError("the points must belong to at least two different classes")
    seed = check_int("seed", seed, 0)
    train_fraction = check_real("train_fraction", train_fraction, "a number in (0, 1]")
    if not 0.0 < train_fraction <= 1.0:
        raise ValueError(f"train_fraction must be a number in (0, 1]; got {train_fraction}")
    feature_tuple = validate_features(features)
    task: Task = "binary" if n_classes == 2 else "multiclass"
    Y = y.reshape(1, m).astype(np.float64 if task == "binary" else np.int64)
    perm = np.random.default_rng(seed).permutation(m)
    m_train = max(1, round(train_fraction * m))
    train_idx, test_idx = perm[:m_train], perm[m_train:]
    if bounds is None:
        bounds = plot_bounds(X_raw, Y, 2)
    else:
        allowed = "bounds must be (x1_min, x1_max, x2_min, x2_max), finite, each min < max"
        try:
            bounds = tuple(float(b) for b in bounds)
        except (TypeError, ValueError):
            raise ValueError(f"{allowed}; got {bounds!r}") from None
        if (
            len(bounds) != 4
            or not all(math.isfinite(b) for b in bounds)
            or not (bounds[0] < bounds[1] and bounds[2] < bounds[3])
        ):
            raise ValueError(f"{allowed}; got {bounds}")
    X = expand_features(X_raw, feature_tuple) if feature_tuple else X_raw
    return Dataset(
        name=name,
        task=task,
        X_train=read_only(X[:, train_idx]),
        Y_train=read_only(Y[:, train_idx]),
        X_test=read_only(X[:, test_idx]),
        Y_test=read_only(Y[:, test_idx]),
        n_classes=n_classes,
        bounds=tuple(bounds),
        features=feature_tuple,
    )


@dataclass(frozen=True)
class DatasetConfig:
    """A dataset as data: the arguments of `make_dataset`, so a config reproduces the points.
    The playground trains on standardized regression targets (`standardize_targets`)."""

    name: str = "flower"
    n_samples: int | None = None
    noise: float | None = None
    seed: int = 0
    train_fraction: float = 0.8
    features: tuple[str, ...] = ()
    n_classes: int | None = None
    standardize_targets: bool = True

    def build(self) -> Dataset:
        """The dataset this config describes (ValueError on a bad argument)."""
        return make_dataset(
            self.name,
            n_samples=self.n_samples,
            noise=self.noise,
            seed=self.seed,
            train_fraction=self.train_fraction,
            features=self.features,
            n_classes=self.n_classes,
            standardize_targets=self.standardize_targets,
        )
