"""POST /api/uploads: a user's CSV table or image-set file, checked and kept for their runs."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from engine.loaders import LoaderError

from .. import parsing
from ..data import file_error, sandbox_error
from ..errors import LimitExceededError, RequestError, TooLargeError
from ..sandbox import SandboxError
from ..schemas import ErrorResponse
from ..security import ORIGIN_REFUSED
from ..settings import Settings
from ..uploads import Upload, UploadStore, kind_of
from .deps import SettingsDep, UploadsDep


def body(settings: Settings) -> dict:
    """The request body's OpenAPI description, with this server's size limit."""
    schema = {
        "type": "string",
        "format": "binary",
        "minLength": 1,
        "maxLength": max(settings.max_csv_bytes, settings.max_image_bytes),
    }
    return {
        "required": True,
        "description": "The file's bytes, as they are: a CSV table (UTF-8, header row, at most "
        f"{settings.max_csv_bytes} bytes) or an image set in the course's layout (.h5, .npz, at "
        f"most {settings.max_image_bytes} bytes).",
        "content": {
            media: {"schema": schema} for media in ("text/csv", "application/octet-stream")
        },
    }


RESPONSES = {
    413: {"model": ErrorResponse, "description": "The file is larger than the server accepts."},
    422: {
        "model": ErrorResponse,
        "description": "The file cannot be used: the message says why "
        "and, for a CSV table, where (row, column).",
    },
}


class UploadResponse(BaseModel):
    """An uploaded file, kept for runs to name in their config."""

    id: str = Field(description="Names the file in a run config (`upload` or `uploads`).")
    name: str
    kind: Literal["csv", "images"]
    bytes: int
    columns: list[str] | None = Field(None, description="CSV: the header's column names.")
    rows: int | None = Field(None, description="CSV: data rows.")
    label: str | None = Field(None, description="CSV: the column guessed to be the label.")
    task: Literal["binary", "multiclass", "regression"] | None = Field(
        None, description="CSV: the task the guessed label gives."
    )
    arrays: dict[str, list[int]] | None = Field(
        None, description="Image set: the shape of each of the course's arrays the file holds."
    )


def router_for(settings: Settings) -> APIRouter:
    """POST /api/uploads for a server with these settings (its schema states their limits)."""
    router = APIRouter(prefix="/api", tags=["api"])
    router.add_api_route(
        "/uploads",
        upload_file,
        methods=["POST"],
        status_code=201,
        responses={**RESPONSES, **ORIGIN_REFUSED},
        openapi_extra={"requestBody": body(settings)},
    )
    return router


async def upload_file(
    request: Request,
    name: Annotated[str, Query(min_length=1, max_length=200, description="The file's name.")],
    settings: SettingsDep,
    store: UploadsDep,
) -> UploadResponse:
    """Check a CSV table or an image-set file and keep it; a run then names it by its id.

    A CSV table is read whole with its guessed label column, so a bad file is refused here with
    one message saying what is wrong and where; the user may then choose another label column.
    """
    data = await request.body()
    kind = kind_of(name, data)
    limit = settings.max_csv_bytes if kind == "csv" else settings.max_image_bytes
    if len(data) > limit:
        what = "CSV table" if kind == "csv" else "image-set file"
        raise TooLargeError(
            "file",
            limit,
            f"The file is too large: {len(data)} bytes, over the limit of {limit} bytes "
            f"for a {what}",
        )
    if not data:
        raise RequestError("file", "empty", "The file is empty")
    check = _check_csv if kind == "csv" else _check_images
    details = await asyncio.to_thread(check, name, data, settings, store)
    owner = store.owner_of(request.client.host if request.client else None)
    upload: Upload = await asyncio.to_thread(store.add, name, data, owner)
    return UploadResponse(id=upload.id, name=name, kind=kind, bytes=len(data), **details)


def _check_csv(name: str, data: bytes, settings: Settings, store: UploadStore) -> dict:
    limits = {
        "max_bytes": settings.max_csv_bytes,
        "max_rows": settings.max_csv_rows,
        "max_columns": settings.max_csv_columns,
    }
    try:
        return parsing.check_csv(store.sandbox, data, limits)
    except LoaderError as error:
        raise file_error("file", error, "csv") from None
    except SandboxError as error:
        raise sandbox_error("file", error) from None


def _check_images(name: str, data: bytes, settings: Settings, store: UploadStore) -> dict:
    try:
        details = parsing.check_images(store.sandbox, name, data, settings.max_image_bytes)
    except LoaderError as error:
        raise file_error("file", error, "images") from None
    except ImportError as error:
        raise RequestError("file", "h5py_missing", str(error)) from None
    except SandboxError as error:
        raise sandbox_error("file", error) from None
    shapes = {key: tuple(shape) for key, shape in details["arrays"].items()}
    if not {"train_set_x", "test_set_x"} & shapes.keys():
        raise RequestError(
            "file",
            "images",
            f"{name} holds none of the course's image arrays (train_set_x, test_set_x); it "
            f"holds: {', '.join(details['held']) or 'nothing'}",
        )
    x = shapes.get("train_set_x", shapes.get("test_set_x"))
    if len(x) == 4 and x[1] * x[2] * x[3] > settings.max_image_inputs:
        raise LimitExceededError(
            "file",
            settings.max_image_inputs,
            f"images of {x[1]} × {x[2]} × {x[3]} = {x[1] * x[2] * x[3]} inputs; this server "
            f"takes at most {settings.max_image_inputs}",
        )
    return {"arrays": {key: list(shape) for key, shape in shapes.items()}}
