"""What a browser may do with this server: two small ASGI middlewares.

`SecurityHeaders` gives every HTTP response a Content-Security-Policy (scripts from this server
only, no inline script, no plugins, no framing by other sites), `X-Content-Type-Options: nosniff`
and `Referrer-Policy: same-origin`.

`OriginGuard` refuses what another site's page makes a student's browser send here: a WebSocket
handshake (closed before it is accepted, code 1008) or a state-changing HTTP request (POST and
the like: 403, naming the rule `origin`) whose `Origin` is neither this server's own (the scheme
of the request and its `Host` header) nor in `Settings.allowed_origins`. Browsers send `Origin`
on every cross-site request and on every WebSocket handshake; a request without one (the CLI,
curl, tests) is not a browser's cross-site request and passes.

Both are pure ASGI, so the routes (app/routes/) need no change.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from .schemas import ErrorResponse

log = logging.getLogger("nnplay.security")

WS_POLICY_CLOSE = 1008
"""WebSocket close code of a refused handshake (policy violation); the client sees HTTP 403."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing: a foreign page may send them (it cannot read the answer)."""
DEFAULT_PORTS = {"http": 80, "https": 443}
ORIGIN_REFUSED = {
    403: {
        "model": ErrorResponse,
        "description": "Sent by a page of another site (its Origin is neither this server's nor "
        "an allowed one): refused, naming the rule `origin`.",
    }
}
"""OpenAPI `responses` of every state-changing operation (OriginGuard answers them)."""

# plotly.js adds <style> elements and style attributes to draw, hence style-src 'unsafe-inline'
# (styles cannot run script). Its heatmaps and PNG exports are data: and blob: images.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; "
    "form-action 'self'"
)
HOST_RE = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
"""A Host header safe to write into the policy (anything else: connect-src 'self' alone)."""


def content_security_policy(host: str | None) -> str:
    """The policy for a page served as `host`: connect-src names its WebSocket (ws: and wss:)
    besides 'self', for browsers whose 'self' does not cover WebSocket URLs (older Safari)."""
    connect = "connect-src 'self'"
    if host and HOST_RE.match(host):
        connect += f" ws://{host} wss://{host}"
    return f"{CSP}; {connect}"


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = content_security_policy(_header(scope, b"host")).encode()

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"content-security-policy", b"x-content-type-options")
                ]
                headers += [
                    (b"content-security-policy", policy),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin like 'http://10.0.0.5:8000'; None if it is not one
    (e.g. 'null', which sandboxed frames and file:// pages send)."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def own_origin(scope) -> tuple[str, str, int] | None:
    """This server's origin as the request names it: its scheme and its Host header."""
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme"), scope.get("scheme"))
    host = _header(scope, b"host")
    return origin_of(f"{scheme}://{host}") if host and scheme in DEFAULT_PORTS else None


def origin_allowed(scope, allowed: Iterable[str] = ()) -> bool:
    """Whether the request's Origin (if any) is this server's own or an allowed one."""
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    theirs = origin_of(origin)
    if theirs is None:
        return False
    return theirs == own_origin(scope) or theirs in {origin_of(a) for a in allowed}


class OriginGuard:
    """ASGI middleware: refuse WebSocket handshakes and state-changing requests whose Origin is
    another site's (see the module's docstring)."""

    def __init__(self, app, allowed: Iterable[str] | None = None) -> None:
        self.app = app
        self.allowed = tuple(allowed or ())

    async def __call__(self, scope, receive, send) -> None:
        kind = scope["type"]
        guarded = kind == "websocket" or (kind == "http" and scope["method"] not in SAFE_METHODS)
        if not guarded or origin_allowed(scope, self.allowed):
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        log.warning("refused %s %s from origin %r", kind, scope.get("path"), origin)
        if kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": WS_POLICY_CLOSE, "reason": "origin"})
            return
        await _refuse(send, origin)


async def _refuse(send, origin: str | None) -> None:
    message = f"requests from pages of {origin} are refused: not this server's own origin"
    body = ErrorResponse(
        error="cross-site request refused",
        errors=[{"field": "Origin", "rule": "origin", "message": message}],
    ).model_dump(mode="json")
    for item in body["errors"]:  # as app.main._error: row and column only for data files
        for key in ("row", "column"):
            if item[key] is None:
                del item[key]
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None
