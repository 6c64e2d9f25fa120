"""What a browser may do with the server (app/security.py): every page carries a Content-Security-
Policy and no inline script; another site's page can neither open /ws nor POST (uploads, …),
over the TestClient and over a real uvicorn socket; the server's own origin and allow-listed
origins can."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from app.main import create_app
from app.settings import Settings
from app.threaded import ThreadedServer

EVIL = "http://evil.example"
CSV = b"x1,x2,y\n" + b"".join(f"{i % 5},{(i * 3) % 7},{i % 2}\n".encode() for i in range(20))
REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'self'",
}


def directives(policy: str) -> dict[str, str]:
    pairs = (part.strip().partition(" ") for part in policy.split(";") if part.strip())
    return {name: value for name, _, value in pairs}


def open_socket(client: TestClient, origin: str | None) -> dict:
    """The first message of a /ws session opened with `origin` (None: no Origin header)."""
    headers = {"origin": origin} if origin else {}
    with client.websocket_connect("/ws", headers=headers) as ws:
        return ws.receive_json()


@pytest.fixture
def allowed_client():
    settings = Settings(allowed_origins="http://class.example, https://board.example:8443")
    with TestClient(create_app(settings)) as client:
        yield client


# --- headers ----------------------------------------------------------------------------------


def test_the_page_carries_a_content_security_policy_and_the_other_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    policy = directives(response.headers["content-security-policy"])
    for name, value in REQUIRED_CSP.items():
        assert policy[name] == value, name
    assert policy["connect-src"].split() == ["'self'", "ws://testserver", "wss://testserver"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_assets_api_answers_and_errors_carry_the_headers_too(client):
    for path in (
        "/static/js/main.js",
        "/static/js/main.bundle.js",
        "/api/options",
        "/no/such/page",
    ):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert "script-src 'self'" in response.headers["content-security-policy"], path


def test_a_strange_host_header_is_not_written_into_the_policy(client):
    response = client.get("/", headers={"host": "x; script-src *"})
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == "'self'" and policy["connect-src"] == "'self'"


class ScriptFinder(HTMLParser):
    """Every <script> tag and every on…= attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.handlers: list[str] = []
        self.in_script = False
        self.inline_code = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [f"<{tag} {name}>" for name in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append(attrs)
            self.in_script = "src" not in attrs and attrs.get("type") != "application/json"

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.inline_code += data.strip()


def test_the_page_has_no_inline_script(client):
    finder = ScriptFinder()
    finder.feed(client.get("/").text)
    assert finder.scripts, "the page loads its modules with <script src>"
    assert all("src" in s or s.get("type") == "application/json" for s in finder.scripts)
    assert finder.inline_code == "" and finder.handlers == []
    assert not re.search(r"javascript:", client.get("/").text, re.I)


# --- the WebSocket ----------------------------------------------------------------------------


def test_a_foreign_origin_cannot_open_the_socket(client):
    with pytest.raises(WebSocketDisconnect) as refused:
        open_socket(client, EVIL)
    assert refused.value.code == 1008
    assert client.get("/api/health").json()["sessions"] == 0


@pytest.mark.parametrize(
    "origin",
    [
        "null",
        "http://testserver.evil.example",
        "https://testserver",
        "http://testserver:8000",
        "not an origin",
    ],
)
def test_lookalike_and_opaque_origins_are_refused_too(client, origin):
    with pytest.raises(WebSocketDisconnect) as refused:
        open_socket(client, origin)
    assert refused.value.code == 1008


@pytest.mark.parametrize("origin", [None, "http://testserver", "http://TestServer:80"])
def test_the_own_origin_and_clients_without_one_open_the_socket(client, origin):
    assert open_socket(client, origin)["type"] == "hello"


def test_an_allow_listed_origin_opens_the_socket(allowed_client):
    assert open_socket(allowed_client, "http://class.example")["type"] == "hello"
    assert open_socket(allowed_client, "https://board.example:8443")["type"] == "hello"
    with pytest.raises(WebSocketDisconnect):
        open_socket(allowed_client, "https://board.example")  # another port: another origin


def test_a_real_server_refuses_a_foreign_origin_at_the_handshake():
    server = ThreadedServer(create_app(Settings(boundary_resolution=20))).start()
    ws_url = server.url.replace("http", "ws") + "/ws"
    try:
        with pytest.raises(InvalidStatus) as refused, connect(ws_url, origin=EVIL, open_timeout=5):
            pass
        assert refused.value.response.status_code == 403
        with connect(ws_url, origin=server.url, open_timeout=5) as ws:
            assert '"hello"' in ws.recv(timeout=5)
    finally:
        server.stop()


# --- uploads and other POSTs --------------------------------------------------------------------


def test_a_foreign_pages_upload_is_refused_and_nothing_is_stored(client):
    response = client.post(
        "/api/uploads?name=t.csv",
        content=CSV,
        headers={"origin": EVIL, "content-type": "text/plain"},
    )
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "cross-site request refused"
    [item] = body["errors"]
    assert (item["field"], item["rule"], item["limit"]) == ("Origin", "origin", None)
    assert EVIL in item["message"] and "row" not in item
    assert len(client.app.state.uploads) == 0
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_foreign_upload_too_large_is_refused_for_its_origin_first(client):
    big = b"x" * (Settings().max_image_bytes + 1)
    response = client.post("/api/uploads?name=t.csv", content=big, headers={"origin": EVIL})
    assert response.status_code == 403


def test_uploads_from_the_own_and_allow_listed_origins_and_without_origin_are_kept(
    client, allowed_client
):
    for c, origin in (
        (client, "http://testserver"),
        (client, None),
        (allowed_client, "http://class.example"),
    ):
        headers = {"origin": origin} if origin else {}
        response = c.post("/api/uploads?name=t.csv", content=CSV, headers=headers)
        assert response.status_code == 201, (origin, response.text)
    assert len(client.app.state.uploads) == 2 and len(allowed_client.app.state.uploads) == 1


@pytest.mark.parametrize("path", ["/api/datasets/preview", "/api/train"])
def test_every_post_from_a_foreign_page_is_refused(client, path):
    response = client.post(path, json={}, headers={"origin": EVIL})
    assert response.status_code == 403
    assert response.json()["errors"][0]["rule"] == "origin"


def test_reading_from_a_foreign_page_is_not_refused_the_browser_keeps_the_answer(client):
    response = client.get("/api/options", headers={"origin": EVIL})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


# --- the setting --------------------------------------------------------------------------------


def test_allowed_origins_come_from_a_comma_separated_variable(monkeypatch):
    monkeypatch.setenv("NNPLAY_ALLOWED_ORIGINS", "https://Class.example/, http://10.0.0.5:9000")
    assert Settings().allowed_origins == ("https://class.example", "http://10.0.0.5:9000")
    monkeypatch.setenv("NNPLAY_ALLOWED_ORIGINS", "class.example")
    with pytest.raises(ValueError, match="allowed_origins"):
        Settings()
