"""The Chromium the browser benchmarks drive: Debian's, with the flags this machine needs
(no sandbox as root, no GPU, no background traffic). Tests keep their own copy
(tests/browser/conftest.py): they do not import the benchmarks."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
"""Every host but loopback fails to resolve: a page's outside requests (fonts, analytics) fail at
once, the way they do offline, and nothing passes through Playwright's request routing, which
costs each request a round trip to the Python client (~90 ms of a cold load of nnplay's 57
requests, little of TF Playground's 5)."""
