"""The playground page and its assets, all served by the app itself (offline first).

plotly.js comes from the installed `plotly` wheel (plotly/package_data/plotly.min.js), so no
page ever asks a CDN for anything.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

ROOT = Path(__file__).resolve().parent.parent.parent
STATIC_DIR = ROOT / "static"
TEMPLATES_DIR = ROOT / "templates"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


@cache
def plotly_js() -> Path:
    """The plotly.min.js shipped inside the plotly package."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the plotly package is not installed")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


@router.get("/", response_class=HTMLResponse)
def read_playground(request: Request) -> HTMLResponse:
    """The playground."""
    return templates.TemplateResponse(request, "index.html", {})


@router.api_route("/vendor/plotly.min.js", methods=["GET", "HEAD"])
def read_plotly() -> FileResponse:
    """plotly.js from the installed wheel, cached by the browser for a day."""
    try:
        path = plotly_js()
    except FileNotFoundError as error:
        raise HTTPException(404, str(error)) from None
    return FileResponse(
        path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )
