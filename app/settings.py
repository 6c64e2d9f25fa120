"""Every limit and rate of the server, in one place, from environment variables `NNPLAY_…`.

    NNPLAY_MAX_SESSIONS=500 NNPLAY_FRAME_RATE=20 nnplay serve

Routes and sessions reach the settings through `get_settings()` (cached); tests build their own
`Settings(...)` and hand it to `create_app`.
"""

from __future__ import annotations

import functools
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from engine.datasets import MAX_SIZE


class Settings(BaseSettings):
    """Limits, rates and grid resolutions. Every request over a limit is refused, naming it."""

    model_config = SettingsConfigDict(env_prefix="NNPLAY_", frozen=True, extra="ignore")

    # Networks
    max_hidden_layers: int = Field(6, ge=1, le=32, description="Hidden layers per network.")
    max_units: int = Field(64, ge=1, le=1024, description="Units per layer.")
    # Data
    max_samples: int = Field(2000, ge=10, le=MAX_SIZE, description="Points per dataset.")
    max_drawn_points: int = Field(
        500, ge=2, le=5000, description="Points a user may draw on the plane."
    )
    # Uploads (POST /api/uploads): kept on disk (app/uploads.py), the oldest dropped first
    max_csv_bytes: int = Field(2_000_000, ge=1024, description="Size of an uploaded CSV file.")
    max_csv_rows: int = Field(10_000, ge=2, description="Data rows of an uploaded CSV file.")
    max_csv_columns: int = Field(50, ge=2, description="Columns of an uploaded CSV file.")
    max_image_bytes: int = Field(
        20_000_000, ge=1024, description="Size of an uploaded image-set file (.h5, .npz)."
    )
    max_image_inputs: int = Field(
        12_288, ge=3, description="Inputs n_x = h·w·3 of an image set (64 × 64 × 3 = 12288)."
    )
    max_image_values: int = Field(
        4_000_000,
        ge=1000,
        description="Pixel values m·h·w·3 of an image set, train and test (course's cats: 3.2M).",
    )
    max_uploads: int = Field(64, ge=1, description="Uploaded files kept at once.")
    max_uploads_per_client: int = Field(
        8, ge=1, description="Uploaded files one client address keeps at once (its own quota)."
    )
    max_upload_bytes_per_client: int = Field(
        50_000_000, ge=1024, description="Bytes of uploaded files one client address keeps."
    )
    parse_memory_bytes: int = Field(
        1_000_000_000,
        ge=50_000_000,
        description="Memory a sandboxed parse of one upload may take (app/sandbox.py).",
    )
    parse_seconds: float = Field(
        20.0, gt=0, le=600, description="Time a sandboxed parse of one upload may take."
    )
    max_parallel_parses: int = Field(
        2, ge=1, le=64, description="Uploads parsed at once; more wait for a free slot."
    )
    max_upload_store_bytes: int = Field(
        200_000_000, ge=1024, description="Bytes of uploaded files kept at once."
    )
    upload_dir: str | None = Field(
        None,
        description="Where uploaded files are kept, shared by a server's workers "
        "(nnplay serve sets it); unset: a temporary directory of the app's own.",
    )
    upload_ttl_seconds: float = Field(
        3600.0, gt=0, description="Seconds an uploaded file is kept (its runs keep their data)."
    )
    gallery_size: int = Field(
        40, ge=1, le=200, description="Test images shown with their predictions."
    )
    # Sessions and runs
    max_sessions: int = Field(200, ge=1, description="Open WebSocket sessions per process.")
    max_runs_per_session: int = Field(4, ge=1, le=16, description="Runs a session holds at once.")
    max_message_bytes: int = Field(16_384, ge=1024, description="Size of one client message.")
    max_step_iterations: int = Field(10_000, ge=1, description="Iterations one 'step' may ask.")
    max_iterations_per_frame: int = Field(
        10_000, ge=1, description="Largest 'iterations per frame' speed."
    )
    max_run_iterations: int = Field(
        1_000_000, ge=1, description="A run stops as 'finished' after this many iterations."
    )
    max_snapshot_bytes: int = Field(
        1_000_000,
        ge=16_384,
        description="Memory a run's timeline keeps (parameter snapshots for rewinding).",
    )
    # Frames
    frame_rate: float = Field(30.0, gt=0, le=120, description="Frames per second per run, at most.")
    heavy_every: int = Field(
        3, ge=1, le=100, description="Hidden-unit maps go in every N-th frame (boundary: every)."
    )
    boundary_resolution: int = Field(100, ge=8, le=400, description="Decision boundary grid side.")
    map_resolution: int = Field(24, ge=4, le=100, description="Hidden-unit map grid side.")
    slice_seconds: float = Field(
        0.004, gt=0, le=0.1, description="Longest a run trains before the next run's turn."
    )
    freeze_startup_objects: bool = Field(
        False,
        description="Once the server has started, leave the objects it made at start (the app, "
        "its libraries) out of Python's garbage collections (`gc.freeze`); `nnplay serve` "
        "turns it on.",
    )
    switch_interval: float = Field(
        0.001,
        gt=0,
        le=0.1,
        description="Python's GIL switch interval while training (how soon the event loop "
        "gets the GIL back from the training thread).",
    )
    # Fairness and abuse: one client's heavy, unread or many sessions must not cost the others
    max_sessions_per_client: int = Field(
        8, ge=1, description="Open WebSocket sessions per client address (tabs of one student)."
    )
    unread_pause_seconds: float = Field(
        3.0,
        gt=0,
        description="A session whose client has not read for this long has its runs paused.",
    )
    unread_close_seconds: float = Field(
        30.0,
        gt=0,
        description="A session whose client has not read for this long is closed (code 4000).",
    )
    http_header_timeout_seconds: float = Field(
        10.0, gt=0, description="Seconds a client may take to send a request's headers."
    )
    http_keep_alive_seconds: float = Field(
        5.0, gt=0, description="Seconds an idle HTTP keep-alive connection is held open."
    )
    # Classes (app/classroom.py)
    max_classes: int = Field(20, ge=1, description="Classes open at once on a server.")
    max_class_students: int = Field(300, ge=1, description="Students in one class.")
    max_class_name_chars: int = Field(40, ge=1, le=200, description="Length of a student's name.")
    max_push_bytes: int = Field(
        8192, ge=256, le=16_384, description="Size of a setup the teacher pushes (state and text)."
    )
    class_board_seconds: float = Field(
        1.0, ge=0.2, le=60, description="Seconds between two updates of the class board."
    )
    class_join_failures: int = Field(
        10, ge=1, description="Wrong class codes one address may try a minute (against guessing)."
    )
    class_grace_seconds: float = Field(
        300.0, gt=0, description="Seconds a class waits for its teacher's page to come back."
    )
    class_idle_seconds: float = Field(
        4 * 3600.0, gt=0, description="A class whose teacher sent nothing for this long ends."
    )
    workers: int = Field(
        1, ge=1, le=64, description="Server processes (nnplay serve --workers sets it)."
    )
    redis_url: str | None = Field(
        None,
        pattern=r"^rediss?://",
        description="A Redis server the processes share their classes through "
        "(redis://host:6379/0); unset: each class lives in one process.",
    )
    open_class: str | None = Field(
        None,
        pattern=r"^[A-Z0-9]{4,8}:[A-Za-z0-9_-]{16,64}$",
        description="CODE:TOKEN of a class opened at start-up (nnplay serve --class sets it).",
    )
    # Headless training (POST /api/train)
    max_train_iterations: int = Field(20_000, ge=1, description="Iterations of POST /api/train.")
    max_train_seconds: float = Field(10.0, gt=0, description="Time budget of POST /api/train.")

    # Origins (app/security.py): browsers send Origin; a page from another site is refused
    allowed_origins: Annotated[tuple[str, ...] | None, NoDecode] = Field(
        None,
        description="Origins besides the server's own whose pages may open /ws and POST, "
        "comma-separated (e.g. 'https://class.example,http://10.0.0.5:9000'); unset: none.",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value):
        """'https://a, http://b:9000' → ('https://a', 'http://b:9000'), each checked."""
        if value is None:
            return None
        items = value.split(",") if isinstance(value, str) else list(value)
        origins = []
        for item in (str(i).strip().lower().rstrip("/") for i in items):
            if not item:
                continue
            parts = urlsplit(item)
            _ = parts.port  # a port that is not a number raises ValueError
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
                raise ValueError(f"{item!r} is not an origin like https://host or http://host:port")
            origins.append(item)
        return tuple(origins)


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
