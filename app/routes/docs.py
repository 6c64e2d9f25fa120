"""The API documentation, served by the app itself: Swagger UI at /docs.

FastAPI's own page loads Swagger UI from a CDN (a blank page offline) and starts it with an
inline script, which the app's Content-Security-Policy forbids (app/security.py). This page uses
the copy the fastapi-offline wheel ships (fastapi_offline/static/) and starts it from
static/docs/swagger-init.js. There is no /redoc: ReDoc runs its search in a blob: worker and
shows a logo from its CDN, which that policy (and an offline classroom) refuse.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from .pages import templates

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
}
"""The files of fastapi-offline's static/ directory the page uses, with their media types."""

router = APIRouter(include_in_schema=False)


def _asset_path(name: str) -> Path:
    return Path(str(resources.files("fastapi_offline") / "static" / name))


@router.get("/docs", response_class=HTMLResponse)
def read_swagger_ui(request: Request) -> HTMLResponse:
    """The API's operations in Swagger UI, with "Try it out"."""
    return templates.TemplateResponse(
        request, "docs/swagger.html", {"openapi_url": request.app.openapi_url}
    )


@router.api_route("/docs/assets/{name}", methods=["GET", "HEAD"])
def read_docs_asset(name: str) -> FileResponse:
    """Swagger UI's script and style, cached by the browser for a day."""
    if name not in ASSETS:
        raise HTTPException(404, f"no documentation asset {name!r}")
    return FileResponse(
        _asset_path(name),
        media_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )
