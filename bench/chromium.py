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
