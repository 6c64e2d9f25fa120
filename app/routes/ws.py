"""The WebSocket endpoint: one session per connection (see app/session.py, docs/protocol.md)."""

from fastapi import APIRouter, WebSocket

from ..session import Session

router = APIRouter()


@router.websocket("/ws")
async def websocket_session(websocket: WebSocket) -> None:
    """Serve one browser's session until it disconnects."""
    state = websocket.app.state
    await Session(
        websocket, state.scheduler, state.settings, state.sessions, state.uploads, state.classrooms
    ).serve()
