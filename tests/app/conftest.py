"""App fixtures: an app with test settings, a TestClient, and a helper to talk the protocol."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.frames import decode
from app.main import create_app
from app.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(frame_rate=60, boundary_resolution=40, map_resolution=10)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        yield client


class Peer:
    """A protocol client over a TestClient WebSocket: sends JSON, sorts what comes back."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.hello = self.ws.receive_json()

    def send(self, **message) -> None:
        self.ws.send_text(json.dumps(message))

    def receive(self):
        """The next message: a dict for text, (header, arrays) for a binary frame."""
        message = self.ws.receive()
        if message.get("text") is not None:
            return json.loads(message["text"])
        return decode(message["bytes"])

    def reply(self, kinds=("ack", "error", "created", "pong")) -> dict:
        """The next text message of one of `kinds`, skipping frames."""
        while True:
            message = self.receive()
            if isinstance(message, dict) and message["type"] in kinds:
                return message

    def frame(self, run: str | None = None, kind: str = "frame", until=None):
        """The next binary message of `kind` (for `run`), optionally until `until(header)`."""
        while True:
            message = self.receive()
            if isinstance(message, tuple):
                header, arrays = message
                matches = header["type"] == kind and (run is None or header["run"] == run)
                if matches and (until is None or until(header)):
                    return header, arrays

    def expect(self, action: str, run: str, until) -> tuple[dict, tuple]:
        """The ack of `action` and the first frame of `run` matching `until`, in either order
        (a command's frames may overtake its ack)."""
        ack = frame = None
        while ack is None or frame is None:
            message = self.receive()
            if isinstance(message, dict):
                if message["type"] == "error":
                    raise AssertionError(message)
                if message["type"] == "ack" and message["action"] == action:
                    ack = message
            elif frame is None:
                header, _ = message
                if header["type"] == "frame" and header["run"] == run and until(header):
                    frame = message
        return ack, frame

    def create(self, **config) -> dict:
        self.send(type="create", config=config)
        created = self.reply(("created", "error"))
        assert created["type"] == "created", created
        return created


@pytest.fixture
def peer(client):
    with client.websocket_connect("/ws") as ws:
        yield Peer(ws)
