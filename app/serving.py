"""How uvicorn serves the app: timeouts for half-sent requests and closes that cannot hang.

uvicorn (0.54) holds a connection open for as long as its client likes before the first request
and between a request's first byte and its last header: its keep-alive timer only runs between
requests, so a client that sends half a request line keeps a connection (and a file descriptor)
forever. And its closes wait for the unsent data to drain: `transport.close()` on a socket the
client no longer reads never completes. The protocol classes below add a header timeout and
abort, rather than close, a connection whose unsent data cannot drain.

`nnplay serve` and the server tests start uvicorn with `uvicorn_options(settings)`; plain
`uvicorn --factory app.main:create_app` works too, without these two protections.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .settings import Settings, get_settings

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is optional: h11 then parses every request
    HttpToolsProtocol = None

WS_MAX_BYTES = 1 << 20
"""Transport cap on one WebSocket message; the app's own, smaller limit answers with an error."""


def _close_or_abort(transport: asyncio.Transport) -> None:
    """Close now: gracefully if nothing is waiting to be sent, else drop the unsent data."""
    if transport.is_closing() and not transport.get_write_buffer_size():
        return
    if transport.get_write_buffer_size():
        transport.abort()
    else:
        transport.close()


class _HeaderTimeout:
    """Mixin for uvicorn's HTTP protocols: a request's headers must all arrive within
    `header_timeout` seconds of its first byte, of the connection (the first request) or of the
    end of the previous answer (the next one on a kept-alive connection)."""

    header_timeout: float
    _header_timer: asyncio.TimerHandle | None = None
    _header_cycle: Any = None

    def _arm_header_timer(self) -> None:
        if self._header_timer is None and self.header_timeout > 0:
            self._header_cycle = self.cycle
            self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _waiting_for_a_request(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.transport.get_protocol() is not self:  # upgraded to a WebSocket meanwhile
            return
        if self.cycle is not self._header_cycle and not self.cycle.response_complete:
            return  # a request's headers arrived: it is being answered
        _close_or_abort(self.transport)

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.header_timeout = get_settings().http_header_timeout_seconds
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_a_request():
            self._arm_header_timer()
        super().data_received(data)
        if not self._waiting_for_a_request():
            self._disarm_header_timer()

    def on_response_complete(self) -> None:
        # The next request's headers get their time from the end of this answer: its first bytes
        # may have come already (pipelined, or while the answer's body was still being sent),
        # and then no later data_received would start the clock.
        super().on_response_complete()
        if self._waiting_for_a_request():
            self._disarm_header_timer()
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def timeout_keep_alive_handler(self) -> None:
        _close_or_abort(self.transport)


class H11HeaderTimeoutProtocol(_HeaderTimeout, H11Protocol):
    """uvicorn's h11 protocol with a header timeout."""


if HttpToolsProtocol is not None:

    class HttpToolsHeaderTimeoutProtocol(_HeaderTimeout, HttpToolsProtocol):
        """uvicorn's httptools protocol with a header timeout."""

    HTTP_PROTOCOL: type = HttpToolsHeaderTimeoutProtocol
else:  # pragma: no cover
    HTTP_PROTOCOL = H11HeaderTimeoutProtocol


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, except that the server's close never waits on a client
    that does not read: the close frame is queued behind what is unsent, and if the client has
    not read up to it and answered within the close timeout, the connection is aborted."""

    async def send(self, message) -> None:
        if message["type"] == "websocket.close" and self.handshake_complete:
            self.writable.set()  # queue the close frame even if the client's buffer is full
        await super().send(message)
        if message["type"] == "websocket.close" and self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = self.loop.call_later(
                self.close_timeout, _close_or_abort, self.transport
            )

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        _close_or_abort(self.transport)


def uvicorn_options(settings: Settings | None = None) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config`: our protocols, timeouts and
    WebSocket transport settings."""
    settings = settings or get_settings()
    return {
        "http": HTTP_PROTOCOL,
        "ws": WebSocketProtocol,
        "timeout_keep_alive": settings.http_keep_alive_seconds,
        # permessage-deflate makes binary frames ~40× slower to send; grids are compact.
        "ws_per_message_deflate": False,
        "ws_max_size": WS_MAX_BYTES,
    }
