"""The playground page and its assets, all served by the app itself (offline first).

plotly.js comes from the installed `plotly` wheel (plotly/package_data/plotly.min.js), so no
page ever asks a CDN for anything.

static/ and templates/ live at the top of the repository; the wheel carries them inside the
`app` package (pyproject.toml's force-include), so an installed nnplay finds them there and a
source checkout (or an editable install) beside the packages.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

ROOT = Path(__file__).resolve().parent.parent.parent
"""The source checkout, when the app runs from one."""


def asset_dir(name: str) -> Path:
    """The directory `name` ("static" or "templates"): inside the installed `app` package, or
    at the top of the source checkout."""
    packaged = resources.files("app") / name
    if packaged.is_dir():
        return Path(str(packaged))
    return ROOT / name


STATIC_DIR = asset_dir("static")
TEMPLATES_DIR = asset_dir("templates")

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
