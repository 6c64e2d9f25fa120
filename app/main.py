"""The FastAPI application: assembles routes, error handlers and the training thread.

    uvicorn --factory app.main:create_app      (or: nnplay serve)

`create_app(settings)` builds a fresh app; the scheduler (the training thread) and the session
registry are made in the lifespan, not at import, so tests can build as many apps as they like.
"""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .assets import CachedStaticFiles
from .broker import Broker
from .classroom import Classrooms
from .errors import RequestError, TooLargeError
from .monitor import LoopLagMonitor
from .routes import api, docs, pages, uploads, ws
from .sandbox import Sandbox
from .scheduler import Scheduler
from .schemas import ErrorResponse
from .security import OriginGuard, SecurityHeaders
from .settings import Settings, get_settings
from .uploads import UploadStore

MAX_BODY_BYTES = 64 * 1024
"""HTTP request bodies: far above any valid request (a run config is < 2 KB)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new nnplay application with its own settings, training thread and sessions."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.scheduler = Scheduler(settings)
        app.state.scheduler.start()
        app.state.sessions = set()
        broker = None
        if settings.redis_url:  # classes shared with the other processes (app/sharing.py)
            broker = Broker(settings.redis_url)
            await broker.start()
        app.state.broker = broker
        app.state.classrooms = Classrooms(settings, broker=broker)
        await app.state.classrooms.start()
        app.state.loop_lag = LoopLagMonitor()
        app.state.loop_lag.start()
        app.state.uploads = UploadStore(
            settings.max_uploads,
            settings.max_upload_store_bytes,
            settings.upload_ttl_seconds,
            settings.upload_dir or None,
            max_files_per_owner=settings.max_uploads_per_client,
            max_bytes_per_owner=settings.max_upload_bytes_per_client,
            sandbox=Sandbox(
                settings.parse_memory_bytes, settings.parse_seconds, settings.max_parallel_parses
            ),
        )
        if settings.freeze_startup_objects:
            # What start-up made (FastAPI's routes and models, NumPy, pydantic: ~88,000
            # objects) lives as long as the process: the full collections that a long-running
            # server's frames set off every few seconds then skip it. Each took ~30-50 ms of the
            # GIL (the loop's lag and the training thread's time) to find nothing to free.
            gc.freeze()
        try:
            yield
        finally:
            await app.state.classrooms.stop()
            if app.state.broker is not None:
                await app.state.broker.stop()
            await app.state.loop_lag.stop()
            app.state.scheduler.stop()
            app.state.uploads.close()
            if settings.freeze_startup_objects:
                gc.unfreeze()  # collectable again: an app's process may go on without it

    app = FastAPI(
        title="nnplay",
        summary="A live neural-network playground: train in the background, stream over "
        "WebSockets.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # app/routes/docs.py serves /docs without a CDN (and no /redoc)
        redoc_url=None,
    )
    app.state.settings = settings
    upload_limit = max(settings.max_csv_bytes, settings.max_image_bytes)
    app.add_middleware(
        BodyLimit, max_bytes=MAX_BODY_BYTES, overrides={"/api/uploads": upload_limit}
    )
    app.add_middleware(OriginGuard, allowed=settings.allowed_origins)  # outside: before 413
    app.add_middleware(SecurityHeaders)  # outermost: every answer, refusals included
    app.include_router(api.router_for(settings))
    app.include_router(uploads.router_for(settings))
    app.include_router(ws.router)
    app.include_router(pages.router)
    app.include_router(docs.router)
    app.mount(
        "/static", CachedStaticFiles(directory=pages.STATIC_DIR, check_dir=False), name="static"
    )
    _add_error_handlers(app)
    return app


def _error(status: int, summary: str, errors: list[dict]) -> JSONResponse:
    body = ErrorResponse(error=summary, errors=errors).model_dump(mode="json")
    for item in body["errors"]:  # row and column only where a data file has them
        for key in ("row", "column"):
            if item[key] is None:
                del item[key]
    return JSONResponse(body, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        items = []
        for e in error.errors():
            # Union members show in paths as tags ("drawn-data", "constrained-int"); field
            # names never hold '-' or '[': drop those parts, as the WebSocket errors do.
            loc = [str(p) for p in e.get("loc", ()) if not ("-" in str(p) or "[" in str(p))]
            if loc and loc[0] == "body":
                loc = loc[1:]
            items.append(
                {
                    "field": ".".join(loc) or "(body)",
                    "rule": e.get("type", "invalid"),
                    "message": str(e.get("msg", "")),
                }
            )
        if any(item["rule"] == "json_invalid" for item in items):
            return _error(400, "the body is not valid JSON", items)
        first = items[0] if items else {"field": "(body)", "message": "invalid"}
        return _error(422, f"{first['field']}: {first['message']}", items)

    @app.exception_handler(RequestError)
    async def refused_request(request: Request, error: RequestError) -> JSONResponse:
        status = 413 if isinstance(error, TooLargeError) else 422
        return _error(status, f"{error.field}: {error}", [error.item()])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        response = _error(error.status_code, str(error.detail), [])
        response.headers.update(error.headers or {})  # e.g. Allow on a 405
        return response


class BodyLimit:
    """ASGI middleware: refuse HTTP bodies over `max_bytes` with 413, before reading them."""

    def __init__(self, app, max_bytes: int, overrides: dict[str, int] | None = None) -> None:
        self.app, self.default_max_bytes = app, max_bytes
        self.overrides = overrides or {}
        """Paths with their own limit (file uploads)."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.overrides.get(scope.get("path", ""), self.default_max_bytes)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > max_bytes):
            await self._refuse(send, max_bytes)
            return
        received = 0
        too_large = False

        async def limited_receive():
            # A body without content-length (chunked): count it as it arrives. Past the limit,
            # tell the app the client left (whatever it catches, it stops reading) and answer
            # 413 ourselves once it returns.
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message) -> None:
            if not too_large:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large:
            await self._refuse(send, max_bytes)

    async def _refuse(self, send, max_bytes: int) -> None:
        response = _error(
            413,
            f"the body may be at most {max_bytes} bytes",
            [
                {
                    "field": "(body)",
                    "rule": "limit",
                    "message": "body too large",
                    "limit": max_bytes,
                }
            ],
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(response.body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": response.body})
