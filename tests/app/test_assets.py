"""app/assets.py: the static files answered from memory, exactly as StaticFiles would, and
never anything outside the directory."""

from __future__ import annotations

import os

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from app.assets import CachedStaticFiles


@pytest.fixture
def tree(tmp_path):
    served = tmp_path / "static"
    (served / "js").mkdir(parents=True)
    (served / "js" / "a.js").write_text("export const a = 1;\n")
    (tmp_path / "secret.txt").write_text("not for the page")
    return served


@pytest.fixture
def both(tree):
    """The cached app and plain StaticFiles over the same directory."""
    cached = CachedStaticFiles(directory=tree)
    app = Starlette(routes=[Mount("/static", cached), Mount("/plain", StaticFiles(directory=tree))])
    with TestClient(app) as client:
        yield client, cached


def test_a_file_is_read_once_then_answered_from_memory_with_the_same_headers(both, tree):
    client, cached = both
    first = client.get("/static/js/a.js")
    assert first.status_code == 200 and first.text == "export const a = 1;\n"
    assert list(cached.cache) == [os.path.join("js", "a.js")]

    def no_lookup(path):
        raise AssertionError(f"{path} was looked up on disk again")

    cached.lookup_path = no_lookup
    again = client.get("/static/js/a.js")
    assert again.status_code == 200
    plain = client.get("/plain/js/a.js")
    for response in (first, again):
        assert response.content == plain.content
        for name in ("content-type", "content-length", "etag", "last-modified"):
            assert response.headers[name] == plain.headers[name], name
    assert "accept-ranges" not in again.headers  # a whole file from memory: no ranges


def test_not_modified_and_head(both):
    client, _ = both
    etag = client.get("/static/js/a.js").headers["etag"]
    assert client.get("/static/js/a.js", headers={"If-None-Match": etag}).status_code == 304
    head = client.head("/static/js/a.js")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len("export const a = 1;\n"))


def test_a_file_changed_on_disk_is_read_again(both, tree):
    client, _ = both
    client.get("/static/js/a.js")
    path = tree / "js" / "a.js"
    path.write_text("export const a = 22;\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a later mtime
    assert client.get("/static/js/a.js").text == "export const a = 22;\n"
    path.unlink()
    assert client.get("/static/js/a.js").status_code == 404


@pytest.mark.parametrize(
    "path", ["/static/../secret.txt", "/static/js/../../secret.txt", "/static/%2e%2e/secret.txt"]
)
def test_nothing_outside_the_directory_is_served_or_kept(both, path):
    client, cached = both
    assert client.get(path).status_code == 404
    assert cached.cache == {}


def test_only_reads(both):
    client, _ = both
    client.get("/static/js/a.js")
    assert client.post("/static/js/a.js").status_code == 405
    assert client.get("/static/js/missing.js").status_code == 404
