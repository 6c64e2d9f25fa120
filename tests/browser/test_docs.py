"""The API documentation and every other page nnplay serves, offline, in a real browser.

Each page opens under the server's Content-Security-Policy (these contexts keep it) with every
request beyond this machine aborted (conftest.py's guard): Swagger UI comes from the app itself
and starts without an inline script, so it renders with no policy violation.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from app.routes import docs, pages
from tests.browser.conftest import Watch, on_this_machine

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
TIMEOUT_MS = 15_000


def html_pages() -> list[str]:
    """The paths of every HTML page the app serves: the GET routes of its page routers that
    answer HTMLResponse."""
    return sorted(
        route.path
        for route in [*pages.router.routes, *docs.router.routes]
        if isinstance(route, APIRoute)
        and "GET" in route.methods
        and route.response_class is HTMLResponse
        and "{" not in route.path
    )


@pytest.fixture
def strict(browser, server_url):
    """open(path) -> a page under the server's CSP, recording its requests, errors and
    violations."""
    contexts = []

    def open_page(path: str):
        context = browser.new_context(bypass_csp=False)
        contexts.append(context)
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.watch = Watch(page)
        page.response = page.goto(server_url + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def operations(server_url: str) -> list[tuple[str, str]]:
    with urllib.request.urlopen(f"{server_url}/openapi.json") as response:
        spec = json.load(response)
    return [(method.upper(), path) for path, item in spec["paths"].items() for method in item]


def test_the_pages_include_the_api_docs():
    assert {"/", "/docs"} <= set(html_pages())


def test_redoc_is_not_served(server_url):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server_url}/redoc")
    refused.value.close()
    assert refused.value.code == 404


def test_swagger_ui_lists_every_operation_offline_without_a_policy_violation(strict, server_url):
    page = strict("/docs")
    assert page.response.status == 200
    expected = operations(server_url)
    blocks = page.locator(".opblock-summary")
    blocks.first.wait_for(timeout=TIMEOUT_MS)
    assert blocks.count() == len(expected)
    listed = set()
    for i in range(blocks.count()):
        method = blocks.nth(i).locator(".opblock-summary-method").inner_text().strip()
        path = blocks.nth(i).locator(".opblock-summary-path").inner_text().strip()
        listed.add((method, path.replace("\u200b", "")))  # Swagger UI breaks paths with ZWSPs
    assert listed == set(expected)
    assert page.evaluate("window.__violations") == []
    assert page.watch.errors == []
    assert all(on_this_machine(url) for url in page.watch.requests)


def test_swagger_ui_tries_an_operation_against_this_server(strict):
    page = strict("/docs")
    health = page.locator("#operations-health-read_health_api_health_get")
    if not health.count():  # the operation id is FastAPI's: find the block by its path instead
        health = page.locator(".opblock", has=page.locator("[data-path='/api/health']"))
    health.first.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".response .response-col_status", has_text="200").first.wait_for(
        timeout=TIMEOUT_MS
    )
    assert page.evaluate("window.__violations") == []


@pytest.mark.parametrize("path", html_pages())
def test_every_page_asks_this_server_alone(strict, server_url, offline, path):
    page = strict(path)
    assert page.response.status == 200
    page.wait_for_load_state("networkidle")
    asked = [url for url in page.watch.requests if not url.startswith(("data:", "blob:"))]
    assert asked and all(url.startswith(server_url) for url in asked), asked
    assert offline == []
