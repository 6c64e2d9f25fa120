"""What routes get from the app, as FastAPI dependencies: its settings and its uploaded files."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..settings import Settings
from ..uploads import UploadStore


def get_settings(request: Request) -> Settings:
    """The app's settings (tests build apps with their own)."""
    return request.app.state.settings


def get_uploads(request: Request) -> UploadStore:
    """The app's uploaded files."""
    return request.app.state.uploads


SettingsDep = Annotated[Settings, Depends(get_settings)]
UploadsDep = Annotated[UploadStore, Depends(get_uploads)]
