"""The playground page and its assets, all served by the app itself (offline first).

plotly.js is plotly's own "basic" partial bundle (scatter, bar and pie traces: all the page
draws), kept in static/vendor/ (its README says where it comes from and why), so no page ever asks
a CDN for anything.

static/ and templates/ live at the top of the repository; the wheel carries them inside the
`app` package (pyproject.toml's force-include), so an installed nnplay finds them there and a
source checkout (or an editable install) beside the packages.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from pathlib import Path

import segno
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..classroom import CODE_SHAPE, normalize_code
from ..lan import join_urls

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


@router.get("/", response_class=HTMLResponse)
def read_playground(request: Request) -> HTMLResponse:
    """The playground."""
    return templates.TemplateResponse(request, "index.html", {})


@router.get("/join/{code}")
def join_class(code: str) -> RedirectResponse:
    """A class's join link: the playground, asking the student's name for this class's code."""
    code = normalize_code(code)
    if not CODE_SHAPE.fullmatch(code):
        raise HTTPException(404, "no class has this code")
    return RedirectResponse(f"/?join={code}", status_code=303)


@router.get("/class/{code}/qr.svg")
def class_qr(code: str, request: Request) -> Response:
    """A QR code of a class's join link (SVG), for the teacher's presenter view. Any well-formed
    code gets one, open or not, so it tells nobody which classes exist."""
    code = normalize_code(code)
    if not CODE_SHAPE.fullmatch(code):
        raise HTTPException(404, "no class has this code")
    url = join_urls(str(request.base_url), f"/join/{code}")[0]
    return Response(
        qr_svg(url), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=600"}
    )


@lru_cache(maxsize=64)
def qr_svg(url: str) -> bytes:
    """The QR code of `url` as SVG (segno: no network, no image library)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=10, border=2, xmldecl=False, svgns=True, title="Join link"
    )
    return buffer.getvalue()


PLOTLY_JS = STATIC_DIR / "vendor" / "plotly-basic.min.js"


@router.api_route("/vendor/plotly-basic.min.js", methods=["GET", "HEAD"])
def read_plotly() -> FileResponse:
    """plotly.js (the basic bundle in static/vendor/), cached by the browser for a day."""
    return FileResponse(
        PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )
