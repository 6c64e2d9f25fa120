"""The `nnplay` command: `nnplay serve` starts the playground; `nnplay train` trains a network
headless, as the course's notebooks do.

    nnplay serve --port 8000
    nnplay train --dataset flower --layers 4 --activations tanh --learning-rate 1.2

Defaults are the course's planar-data exercise: one hidden layer of 4 tanh units, randn × 0.01,
batch gradient descent at α = 1.2 for 10,000 iterations. The flags that describe the run are
made from the run config's fields (`app.runconfig`: names, types, bounds, choices, help), and a
run is checked and built as the API builds one: the same `RunConfigModel`, the same limits (this
machine's `Settings`, raised with `NNPLAY_*` variables), the same `make_trainer`.

Every bad argument or `NNPLAY_*` setting gets one line naming it and what it allows, and exit
status 2; Ctrl+C stops a training cleanly with what it has done, and exit status 130. No
command shows a traceback for these.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import numpy as np
from pydantic import ValidationError
from tqdm import tqdm

from engine import Dataset, load_csv, load_image_set

from .errors import LimitExceededError, RequestError
from .runconfig import (
    CsvDataModel,
    DatasetModel,
    ImageDataModel,
    InitModel,
    LayerModel,
    RunConfigModel,
    enforce_limits,
    field_schema,
    live_fields,
    make_trainer,
    number_rule,
)

NETWORK_FLAGS = {"output": "--output", "init.name": "--init", "init.scale": "--init-scale"}
"""The flag of each run config field of the network (by its path in the config)."""
TRAINING_FLAGS = {
    "seed": "--seed",
    **{name: "--" + name.replace("_", "-") for name in live_fields()},
}
"""The flags of the training fields: the seed, and every live field by its name (a new live
field of the run config is a new flag)."""
DATA_FLAGS = {
    "dataset.name": "--dataset",
    "dataset.size": "--size",
    "dataset.noise": "--noise",
    "dataset.n_classes": "--classes",
    "dataset.seed": "--data-seed",
    "dataset.train_fraction": "--train-fraction",
    "dataset.features": "--features",
}
"""The flag of each field of a built-in dataset."""
RUN_FLAGS = {**DATA_FLAGS, "layers": "--layers", **NETWORK_FLAGS, **TRAINING_FLAGS}
"""Every run config field's flag; `layers` takes --layers (units) and --activations."""
CLI_DEFAULTS = {"dataset.seed": 1}
"""Where `nnplay train`'s default differs from the run config's: its data seed has always been 1."""
FIELD_MODELS = {"": RunConfigModel, "dataset": DatasetModel, "init": InitModel}
ENGINE_FLAGS = {
    "n_samples": "--size",
    "noise": "--noise",
    "n_classes": "--classes",
    "seed": "--data-seed",
    "train_fraction": "--train-fraction",
    "features": "--features",
}
"""The flag that sets each `make_dataset` argument, to name it in the engine's errors."""
MAX_ITERATIONS = 10_000_000
INTERRUPTED = 130
"""Exit status after Ctrl+C, as shells report a process ended by SIGINT (128 + 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `nnplay train: error: argument --x: what is allowed`."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _choice_list(allowed: Sequence[str], what: str):
    def parse(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",") if name.strip()]
        for name in names:
            if name not in allowed:
                raise argparse.ArgumentTypeError(
                    f"unknown {what} {name!r}; allowed: {', '.join(allowed)}"
                )
        return names

    return parse


UNITS = number_rule(LayerModel, "units")


def _layers(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    sizes = []
    for part in text.split(","):
        try:
            size = int(part)
        except ValueError:
            size = 0
        if not UNITS["minimum"] <= size <= UNITS["maximum"]:
            raise argparse.ArgumentTypeError(
                f"{part.strip()!r} is not a layer size; give hidden layer sizes as whole numbers "
                f"≥ {UNITS['minimum']} and ≤ {UNITS['maximum']} separated by commas (e.g. 4 or "
                "8,8), or 'none' for logistic regression"
            )
        sizes.append(size)
    return sizes


def _number(
    low: float,
    high: float = math.inf,
    integer: bool = False,
    low_open: bool = False,
    high_open: bool = False,
):
    def parse(text: str) -> float | int:
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            value = math.nan
        too_low = value <= low if low_open else value < low
        too_high = value >= high if high_open else value > high
        if not math.isfinite(value) or too_low or too_high:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {_allowed(low, high, integer, low_open, high_open)}"
            )
        return value

    return parse


def _allowed(low, high, integer=False, low_open=False, high_open=False) -> str:
    """'a whole number ≥ 1 and ≤ 5000', 'a number > 0 and ≤ 100'."""
    kind = "a whole number" if integer else "a number"
    lower = f"> {low}" if low_open else f"≥ {low}"
    upper = "" if high == math.inf else f" and {'<' if high_open else '≤'} {high}"
    return f"{kind} {lower}{upper}"


def _rule_bounds(rule: dict) -> tuple[float, float, bool, bool, bool]:
    """(low, high, integer, low_open, high_open) of a number field's rule
    (`runconfig.number_rule`), as `_number` and `_allowed` take them."""
    return (
        rule.get("exclusiveMinimum", rule.get("minimum", -math.inf)),
        rule.get("exclusiveMaximum", rule.get("maximum", math.inf)),
        rule["type"] == "integer",
        "exclusiveMinimum" in rule,
        "exclusiveMaximum" in rule,
    )


def field_of(path: str) -> tuple[type, str]:
    """The model and the field name of a run config field's path, e.g. InitModel, "scale" for
    "init.scale" (a dataset's fields: the built-in dataset's)."""
    prefix, _, name = path.rpartition(".")
    return FIELD_MODELS[prefix], name


def _field_schema(path: str) -> dict:
    """The JSON schema of a field's value (its non-null member, if it takes null)."""
    return field_schema(*field_of(path))


def _add_field(group: argparse._ArgumentGroup, path: str, flag: str) -> None:
    """One flag for one run config field: its type, bounds, choices, default and help are the
    field's own (the model's JSON schema and description)."""
    model, name = field_of(path)
    field = model.model_fields[name]
    schema = _field_schema(path)
    default = CLI_DEFAULTS.get(path, field.get_default(call_default_factory=True))
    options: dict = {"default": default}
    about = (field.description or name.replace("_", " ")).rstrip(".")
    if about[1:2].islower():
        about = about[0].lower() + about[1:]
    allowed = ""
    if "enum" in schema:
        options.update(choices=schema["enum"], metavar="NAME")
        allowed = f"one of: {', '.join(schema['enum'])}"
    elif schema.get("type") == "array":
        names = schema["items"]["enum"]
        options["type"] = _choice_list(names, name.removesuffix("s"))
        allowed = f"comma-separated, from: {', '.join(names)}"
    elif schema.get("type") in ("integer", "number"):
        bounds = _rule_bounds(number_rule(model, name))
        options["type"] = _number(*bounds)
        allowed = _allowed(*bounds)
    about, _, unset = about.partition("; None: ")
    if isinstance(default, list):
        default = ",".join(default) or None
    shown = unset if default is None else default
    details = "; ".join(
        part for part in (allowed, "" if shown in (None, "") else f"default: {shown}") if part
    )
    options["help"] = f"{about} ({details})"
    group.add_argument(flag, **options)


def build_parser() -> argparse.ArgumentParser:
    """The `nnplay` argument parser with its subcommands. The flags of `nnplay train` that
    describe the run are made from the run config's fields (RUN_FLAGS)."""
    parser = _Parser(prog="nnplay", description="A live neural-network playground.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = commands.add_parser(
        "train",
        help="train a network headless and print its progress",
        description="Train a fully-connected network on a built-in dataset, as the course does.",
    )
    data = train.add_argument_group("data")
    for path, flag in DATA_FLAGS.items():
        _add_field(data, path, flag)
    data.add_argument(
        "--data",
        metavar="FILE",
        default=None,
        help="train on your own data instead: a CSV file (with --label) or a course-layout "
        "image set (.h5 or .npz with train_set_x/train_set_y, test_set_x/test_set_y)",
    )
    data.add_argument(
        "--label",
        metavar="COLUMN",
        default=None,
        help="with a CSV --data: the name of the label column",
    )
    data.add_argument(
        "--test-data",
        metavar="FILE",
        default=None,
        help="with an image set --data: a separate file holding test_set_x/test_set_y "
        "(a CSV's test rows are split off by --train-fraction)",
    )

    net = train.add_argument_group("network")
    layer = LayerModel()
    activations = field_schema(LayerModel, "activation")["enum"]
    net.add_argument(
        "--layers",
        type=_layers,
        default=[layer.units],
        help="hidden layer sizes, e.g. 4 or 8,8; 'none' for logistic regression "
        f"(default: {layer.units})",
    )
    net.add_argument(
        "--activations",
        type=_choice_list(activations, "activation"),
        default=[layer.activation],
        help="hidden activation(s): one for all layers or one per layer, from "
        f"{', '.join(activations)} (default: {layer.activation})",
    )
    for path, flag in NETWORK_FLAGS.items():
        _add_field(net, path, flag)

    opt = train.add_argument_group("training")
    for path, flag in TRAINING_FLAGS.items():
        _add_field(opt, path, flag)
    opt.add_argument(
        "--iterations",
        type=_number(1, MAX_ITERATIONS, integer=True),
        default=10_000,
        help="number of updates (default: 10000)",
    )

    out = train.add_argument_group("output")
    out.add_argument(
        "--print-every",
        type=_number(0, integer=True),
        default=1000,
        help="print the cost every N iterations; 0 for never (default: 1000)",
    )
    out.add_argument(
        "--json",
        metavar="PATH",
        default=None,
        help="write the history and final parameters to this JSON file ('-': stdout)",
    )
    out.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    train.set_defaults(run=train_command, parser=train)

    serve = commands.add_parser(
        "serve",
        help="start the playground server",
        description="Start the nnplay server: the playground page, its API and WebSocket stream.",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1; 0.0.0.0 for a classroom)",
    )
    serve.add_argument(
        "--port", type=_number(1, 65535, integer=True), default=8000, help="port (default: 8000)"
    )
    serve.add_argument(
        "--workers",
        type=_number(1, 64, integer=True),
        default=1,
        help="server processes; each trains its own sessions (default: 1)",
    )
    serve.add_argument(
        "--class",
        dest="open_class",
        action="store_true",
        help="open a class at start-up: print its join code and link, and the teacher's link",
    )
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.set_defaults(run=serve_command, parser=serve)
    return parser


IMAGE_SUFFIXES = (".h5", ".hdf5", ".npz")


def run_config(args: argparse.Namespace, parser: argparse.ArgumentParser) -> RunConfigModel:
    """The run config `nnplay train`'s flags describe, checked as every entrance checks one:
    by the model, then by the limits of this machine's `Settings` (NNPLAY_* variables)."""
    hidden, activations = args.layers, args.activations
    if len(activations) == 1:
        activations = activations * len(hidden)
    elif len(activations) != len(hidden):
        parser.error(
            f"argument --activations: give one activation for all hidden layers or one per "
            f"layer ({len(hidden)}), got {len(activations)}"
        )
    values: dict = {"dataset": _data_description(args)}
    for path, flag in RUN_FLAGS.items():
        if path == "layers" or (path.startswith("dataset.") and args.data is not None):
            continue
        *parents, name = path.split(".")
        into = values
        for parent in parents:
            into = into.setdefault(parent, {})
        into[name] = getattr(args, _dest(flag))
    values["layers"] = [
        {"units": u, "activation": a} for u, a in zip(hidden, activations, strict=True)
    ]
    try:
        config = RunConfigModel.model_validate(values)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        path = ".".join(str(p) for p in first["loc"] if isinstance(p, str) and "-" not in p)
        message = str(first["msg"]).removeprefix("Value error, ")
        named = ".".join(filter(None, (path, message.split(" ", 1)[0])))
        path = named if named in RUN_FLAGS else path  # a rule between fields names its field
        parser.error(f"argument {flag_of(path)}: {message[:1].lower()}{message[1:]}")
    try:
        enforce_limits(config, _settings(parser))
    except LimitExceededError as error:
        raise_how = f" (NNPLAY_{error.setting.upper()} sets this limit)" if error.setting else ""
        parser.error(f"argument {flag_of(error.field)}: {error}{raise_how}")
    return config


def _data_description(args: argparse.Namespace) -> dict:
    """The run config's `dataset` for a --data file: which file, label and split (the CLI reads
    the file itself, as app.data reads an upload); a built-in dataset is filled in from flags."""
    if args.data is None:
        return {}
    name = Path(args.data).name[:64] or "file"
    if Path(args.data).suffix.lower() in IMAGE_SUFFIXES:
        tests = [Path(args.test_data).name[:64] or "test"] if args.test_data else []
        return {"kind": "images", "uploads": [name, *tests]}
    return {
        "kind": "csv",
        "upload": name,
        "label": args.label or "?",
        "train_fraction": args.train_fraction,
        "seed": args.data_seed,
    }


def _dest(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


def flag_of(path: str) -> str:
    """The flag that sets a run config field, by its path (layers.0.units: --layers)."""
    parts = [p for p in path.split(".") if not p.isdigit()]
    if parts[:1] == ["layers"]:
        return "--activations" if parts[1:] == ["activation"] else "--layers"
    while parts:
        flag = RUN_FLAGS.get(".".join(parts))
        if flag is not None:
            return flag
        parts.pop()
    return "--dataset"


def _settings(parser: argparse.ArgumentParser):
    from .settings import Settings

    _check_settings(parser)
    return Settings()


def _load_file(
    args: argparse.Namespace, parser: argparse.ArgumentParser, config: RunConfigModel
) -> Dataset:
    """The Dataset of `--data FILE` (CSV, or a course-layout image set), or a one-line error."""
    path = Path(args.data)
    try:
        if isinstance(config.dataset, ImageDataModel):
            if args.label:
                parser.error("argument --label: only a CSV --data has a label column")
            if args.test_data is not None and not Path(args.test_data).is_file():
                parser.error(f"argument --test-data: no such file: {args.test_data}")
            loaded = load_image_set(path, args.test_data)
        else:
            if args.test_data is not None:
                parser.error(
                    "argument --test-data: only an image set --data (.h5, .npz) takes a separate "
                    "test file; a CSV's test rows are split off by --train-fraction"
                )
            if not args.label:
                parser.error("argument --label: a CSV --data needs the label column's name")
            data: CsvDataModel = config.dataset
            loaded = load_csv(
                path,
                data.label,
                task=data.task,
                train_fraction=data.train_fraction,
                seed=data.seed,
                standardize_targets=True,  # as app.data reads an uploaded CSV
            )
    except (ValueError, ImportError, OSError) as error:
        parser.error(f"argument --data: {error}")
    return loaded.dataset


def _built_in_dataset(
    args: argparse.Namespace, parser: argparse.ArgumentParser, config: RunConfigModel
) -> Dataset:
    try:
        return config.dataset.to_engine().build()
    except ValueError as error:
        message = str(error)
        flag = ENGINE_FLAGS.get(message.split(" ", 1)[0], "--dataset")
        parser.error(f"argument {flag}: {message}")


def train_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run `nnplay train` with parsed arguments; returns the exit status."""
    if args.test_data is not None and args.data is None:
        parser.error("argument --test-data: only with --data (an image set file)")
    _check_json_path(args.json, parser)
    config = run_config(args, parser)
    load = _load_file if args.data is not None else _built_in_dataset
    return _train(args, parser, config, load(args, parser, config))


def _terminal_width() -> int:
    """Columns of the terminal on stderr; 0 if it is none or does not say."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return 0


def _check_json_path(json_path: str | None, parser: argparse.ArgumentParser) -> None:
    """Refuse a --json file that could not be written, before any training."""
    if json_path is None or json_path == "-":
        return
    path = Path(json_path)
    folder = path.parent
    if path.is_dir():
        parser.error(f"argument --json: {json_path} is a directory; give a file name")
    if not folder.is_dir():
        parser.error(f"argument --json: the directory {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        parser.error(f"argument --json: {json_path} cannot be written (permission denied)")


def _train(
    args: argparse.Namespace,
    parser: argparse.ArgumentParser,
    config: RunConfigModel,
    data: Dataset,
) -> int:
    try:
        trainer = make_trainer(config, data)
    except RequestError as error:
        parser.error(f"argument {flag_of(error.field)}: {error}")
    except ValueError as error:
        parser.error(str(error))
    net = trainer.net
    layer_dims = list(net.layer_dims)
    activations = list(net.activations)

    to_stdout = args.json == "-"
    log = sys.stderr if to_stdout else sys.stdout
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    print(
        f"Training {layer_dims} {activations} on {data.name} "
        f"(m_train={data.m_train}, m_test={data.m_test}), init={args.init}, "
        f"α={args.learning_rate}, optimizer={args.optimizer}, "
        f"batch={args.batch_size or 'full'}, {args.iterations} iterations",
        file=log,
    )
    chunk = max(1, min(args.iterations // 100, 1000))  # Ctrl+C is seen between chunks
    if args.print_every:
        chunk = math.gcd(chunk, args.print_every)
    costs = []
    start = time.perf_counter()
    # tqdm redraws the bar in place, padding a shorter line, and clears it to write a line
    # above it (tqdm.write), so no stale copy or stray character stays on the terminal.
    # A terminal that does not say its size (a pty without one, a file): 80 × 24, or tqdm
    # would hide the bar.
    sized = _terminal_width() > 0
    bar = tqdm(
        total=args.iterations,
        file=sys.stderr,
        unit="it",
        dynamic_ncols=sized,
        ncols=None if sized else 80,
        nrows=None if sized else 24,
        disable=not progress,
    )
    interrupted = False
    # Ctrl+C asks the loop to stop after the chunk in progress (a KeyboardInterrupt raised inside
    # NumPy's C code can be lost there); a second Ctrl+C interrupts at once.
    stop: list[bool] = []

    def on_ctrl_c(signum: int, frame: object) -> None:
        if stop:
            raise KeyboardInterrupt
        stop.append(True)

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_ctrl_c) if in_main_thread else None
    try:
        while trainer.iteration < args.iterations and trainer.diverged is None and not stop:
            before = trainer.iteration
            done = trainer.run(min(chunk, args.iterations - before))
            costs.extend(done.tolist())
            if len(done):
                bar.set_postfix_str(f"cost {done[-1]:.6f}", refresh=False)
                bar.update(trainer.iteration - before)
            if args.print_every and trainer.iteration % args.print_every == 0 and len(done):
                line = f"Cost after iteration {trainer.iteration}: {done[-1]:.6f}"
                if progress:
                    tqdm.write(line, file=log)
                else:
                    print(line, file=log)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        bar.close()
    interrupted = interrupted or bool(stop)
    elapsed = time.perf_counter() - start
    history = trainer.history(np.asarray(costs))
    scores = trainer.evaluate()

    if interrupted:
        print(
            f"Interrupted (Ctrl+C) after {trainer.iteration} of {args.iterations} iterations",
            file=log,
        )
    if history.status == "diverged":
        print(f"Diverged: {history.message}", file=log)
    print(
        f"Finished {trainer.iteration} iterations ({trainer.epoch} epochs) in {elapsed:.2f} s",
        file=log,
    )
    for split in ("train", "test"):
        cost, accuracy = scores[f"{split}_cost"], scores[f"{split}_accuracy"]
        if cost is None:
            continue
        line = f"{split.capitalize()} cost: {cost:.6f}"
        if accuracy is not None:
            line += f"   {split} accuracy: {100 * accuracy:.2f}%"
        print(line, file=log)

    if args.json:
        report = {
            "config": {
                "dataset": args.data or args.dataset,
                "size": data.m_train + data.m_test,
                "noise": args.noise,
                "data_seed": args.data_seed,
                "train_fraction": args.train_fraction,
                "features": args.features,
                "layer_dims": layer_dims,
                "activations": activations,
                "init": args.init,
                "init_scale": args.init_scale,
                "seed": args.seed,
                **{name: getattr(config, name) for name in live_fields()},
                "iterations": args.iterations,
            },
            "status": "interrupted" if interrupted else history.status,
            "diverged_at": history.diverged_at,
            "iterations": trainer.iteration,
            "epochs": trainer.epoch,
            "costs": costs,
            **scores,
            "parameters": {key: value.tolist() for key, value in net.parameters.items()},
        }
        text = json.dumps(report, allow_nan=False)
        if to_stdout:
            sys.stdout.write(text + "\n")
        else:
            with open(args.json, "w", encoding="utf-8") as file:
                file.write(text)
            print(f"Wrote {args.json}", file=log)
    if interrupted:
        return INTERRUPTED
    return 1 if history.status == "diverged" else 0


def serve_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run `nnplay serve`: uvicorn with the app factory and the options of app/serving.py."""
    import uvicorn

    from .serving import uvicorn_options

    _check_settings(parser)
    _check_port(args.host, args.port, parser)
    host = f"[{args.host}]" if ":" in args.host else args.host
    every_address = args.host in ("0.0.0.0", "::")
    shown = "127.0.0.1" if every_address else host
    print(f"nnplay: open http://{shown}:{args.port}/ in a browser", flush=True)
    if every_address:
        from .lan import lan_addresses

        addresses = lan_addresses()
        if addresses:
            links = ", ".join(f"http://{address}:{args.port}/" for address in addresses)
            print(f"nnplay: other computers on this network open {links}", flush=True)
        else:
            print("nnplay: no network address found besides 127.0.0.1", flush=True)
    os.environ["NNPLAY_WORKERS"] = str(args.workers)  # class mode refuses to split a class
    os.environ.setdefault("NNPLAY_FREEZE_STARTUP_OBJECTS", "1")  # a long-running server
    _check_redis(parser)
    if args.open_class:
        _open_class_at_start(args, parser, shown, every_address)
    # One directory of uploaded files for all the workers: a file uploaded to one of them is
    # then found by the one serving the browser's WebSocket.
    own_dir = None
    if not os.environ.get("NNPLAY_UPLOAD_DIR"):
        own_dir = tempfile.mkdtemp(prefix="nnplay-uploads-")
        os.environ["NNPLAY_UPLOAD_DIR"] = own_dir

        def remove_then_die(signum: int, frame: object) -> None:
            # uvicorn shuts down on SIGTERM, then re-raises it to the handler it found: this one.
            # The default action would end the process before `finally` runs.
            shutil.rmtree(own_dir, ignore_errors=True)
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

        signal.signal(signal.SIGTERM, remove_then_die)
    try:
        if args.workers > 1 and os.name == "posix":
            # Workers that accept in turn, the least loaded first (see app/workers.py).
            from .workers import Supervisor

            options = {"log_level": args.log_level, **uvicorn_options()}
            return Supervisor(args.workers, args.host, args.port, **options).run()
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            # Our protocols: a header timeout, closes that never wait on a client that does
            # not read, compression off (see app/serving.py).
            **uvicorn_options(),
        )
    finally:
        if own_dir is not None:
            shutil.rmtree(own_dir, ignore_errors=True)
    return 0


def _open_class_at_start(
    args: argparse.Namespace, parser: argparse.ArgumentParser, host: str, every_address: bool
) -> None:
    """`serve --class`: a class the app opens at start-up (NNPLAY_OPEN_CLASS), its links said."""
    import secrets

    from .classroom import random_code
    from .lan import join_urls
    from .settings import Settings

    if args.workers > 1 and not Settings().redis_url:
        parser.error(
            f"--class with --workers {args.workers} would split the class among the processes: "
            "share it through Redis (NNPLAY_REDIS_URL=redis://host:6379/0) or use --workers 1"
        )
    code, token = random_code(), secrets.token_urlsafe(24)
    os.environ["NNPLAY_OPEN_CLASS"] = f"{code}:{token}"
    base = f"http://{host}:{args.port}/"
    if every_address:
        join = join_urls(base, f"/join/{code}")[0]
        print(f"nnplay: class {code} is open: students open {join} or type the code", flush=True)
    else:
        print(
            f"nnplay: class {code} is open: on this computer open {base}join/{code}; for "
            "students on other computers start with --host 0.0.0.0",
            flush=True,
        )
    # The token travels in the fragment, which browsers never send: no log shows it.
    print(f"nnplay: the teacher opens {base}?teach={code}#class_token={token}", flush=True)


def _check_redis(parser: argparse.ArgumentParser) -> None:
    """With NNPLAY_REDIS_URL, the broker must answer before anything starts: one line if not."""
    from .settings import Settings

    url = Settings().redis_url
    if not url:
        return
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except redis.RedisError as error:
        parser.error(f"NNPLAY_REDIS_URL={url}: Redis does not answer ({error})")


def _check_settings(parser: argparse.ArgumentParser) -> None:
    """Refuse bad `NNPLAY_*` variables with one line each (not pydantic's traceback)."""
    from .settings import Settings

    try:
        Settings()
    except ValidationError as error:
        lines = [f"{parser.prog}: error: {_setting_problem(e)}" for e in error.errors()]
        parser.exit(2, "\n".join(lines) + "\n")


def _setting_problem(error: dict) -> str:
    """'NNPLAY_MAX_UNITS='lots': input should be a valid integer; allowed: a whole number ≥ 1
    and ≤ 1024 (units per layer)' for one pydantic error of Settings."""
    from .settings import Settings

    name = str(error["loc"][0]) if error.get("loc") else ""
    variable = f"NNPLAY_{name.upper()}"
    value = next((v for k, v in os.environ.items() if k.upper() == variable), error.get("input"))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    field = Settings.model_fields.get(name)
    if field is None:
        return f"{variable}={value!r}: {message}"
    kind = {int: "a whole number", float: "a number", str: "text"}.get(field.annotation, "")
    bounds = []
    for constraint in field.metadata:
        for attribute, sign in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤")):
            if getattr(constraint, attribute, None) is not None:
                bounds.append(f"{sign} {getattr(constraint, attribute)}")
    allowed = " ".join([kind, " and ".join(bounds)]).strip()
    what = (field.description or "").rstrip(".")
    what = what[:1].lower() + what[1:]
    detail = f"; allowed: {allowed}" if allowed else ""
    return f"{variable}={value!r}: {message}{detail} ({what})"


def _check_port(host: str, port: int, parser: argparse.ArgumentParser) -> None:
    """Refuse a port that is taken (or a host this machine does not have) before the server
    says anything, and suggest a free port."""
    error = _bind_error(host, port)
    if error is None:
        return
    if error.errno == errno.EADDRINUSE:
        free = next(
            (p for p in range(port + 1, min(port + 100, 65536)) if not _bind_error(host, p)), None
        )
        hint = f"; try --port {free}" if free else "; choose another with --port"
        parser.error(f"argument --port: port {port} is already in use on {host}{hint}")
    parser.error(f"argument --host: cannot listen on {host} port {port}: {error.strerror or error}")


def _bind_error(host: str, port: int) -> OSError | None:
    """What binding (host, port) as uvicorn does (SO_REUSEADDR) raises, or None."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return error
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            return error
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nnplay` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, args.parser)
    except KeyboardInterrupt:  # Ctrl+C outside a training (which stops cleanly by itself)
        print(f"\n{parser.prog}: interrupted", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
