"""The real-browser harness: `streamlit run app.py` on a loopback port, driven by the system Chromium.

Uses Debian's `chromium` through Playwright (never `playwright install`). Without Chromium or Playwright
the browser tests skip with the reason, unless REQUIRE_BROWSER=1, where that is a failure.
The fixtures built on this (``server``, ``fresh_server``, ``browser``) live in conftest.py.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg, [data-testid="stGraphVizChart"] svg'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def missing(reason: str) -> None:
    """Skip the test, or fail it when REQUIRE_BROWSER=1."""
    if REQUIRED:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_small_fashion_npz(path: Path, per_class: int = 30) -> Path:
    """A tiny random stand-in for Fashion-MNIST (images (N, 28, 28) uint8, labels (N,)), so no page downloads."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10, dtype=np.uint8), per_class)
    np.savez_compressed(path, images=rng.integers(0, 256, (labels.size, 28, 28), dtype=np.uint8), labels=labels)
    return path


@contextmanager
def serve_app(env: dict[str, str] | None = None, timeout: float = 60.0, script: Path | None = None) -> Iterator[str]:
    """Run `streamlit run app.py` (or ``script``, from its folder) on a free loopback port until the block ends;
    yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script or "app.py"), "--server.headless", "true", "--server.address",
           "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=script.parent if script else ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail(f"streamlit did not start: {proc.stdout.read() if proc.stdout else ''}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chromium_browser():
    """The system Chromium, headless, through Playwright; skips (or fails) when either is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        missing("Chromium is not installed (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright (Python) is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Streamlit's frontend, opened at /<page>, first asks /<page>/_stcore/health and /<page>/_stcore/host-config (404)
# before falling back to the root: upstream streamlit/streamlit#7074, not fixable from an app (the frontend decides
# before any app code runs; tests/browser/test_deep_links.py shows a bare two-page app does the same). Exactly these
# two requests, one path segment deep, are not counted as the page's console errors.
STREAMLIT_DEEP_LINK_PROBES = re.compile(r"^/[^/]+/_stcore/(health|host-config)$")


def is_streamlit_deep_link_probe(url: str, text: str) -> bool:
    """Whether a console message is one of the two 404s of Streamlit's base-path probe on a deep link."""
    return "404" in text and bool(STREAMLIT_DEEP_LINK_PROBES.match(urlparse(url).path))


def is_console_error(message) -> bool:
    """A console error, except the two 404s of Streamlit's base-path probe on a deep link (and nothing else)."""
    if message.type != "error":
        return False
    return not is_streamlit_deep_link_probe(message.location.get("url", ""), message.text)


def collect_errors(page) -> list[str]:
    """Console errors and uncaught page errors of ``page`` from now on, in a list that fills as they come."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url', '')})") if is_console_error(m) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def screenshot(page, name: str) -> None:
    """A whole-page picture in artifacts/screenshots/ (Streamlit scrolls inside its main block, so grow the viewport)."""
    width = page.viewport_size["width"] if page.viewport_size else 1400
    height = page.evaluate('document.querySelector(\'[data-testid="stMain"]\').scrollHeight')
    page.set_viewport_size({"width": width, "height": min(max(int(height), 1000), 12000)})
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def start_page(browser, url: str, not_found: list[str] | None = None):
    """A new tab navigating to ``url`` (returns once the server answered); (page, console errors). With ``not_found``,
    the path of every request answered 404 is appended to it."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = collect_errors(page)
    if not_found is not None:
        page.on("response", lambda r: not_found.append(urlparse(r.url).path.lstrip("/")) if r.status == 404 else None)
    page.goto(url, wait_until="commit")
    return page, errors


def settle(page, name: str | None, patience: float = 1.0) -> None:
    """Wait until the script is idle and a chart is drawn; save a screenshot named ``name`` (None: none). ``patience``
    scales the waits (a server busy with many first visits at once); these are not timings, only limits."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=60_000 * patience)
    page.wait_for_selector(IDLE, timeout=120_000 * patience)
    page.wait_for_selector(CHART, timeout=60_000 * patience)
    page.wait_for_selector(IDLE, timeout=120_000 * patience)
    page.wait_for_timeout(500)
    if name:
        screenshot(page, name)


def open_page(browser, url: str, name: str | None, not_found: list[str] | None = None):
    """Open ``url``, wait until the script is idle and a chart is drawn, save a screenshot; (page, console errors).
    With ``not_found``, the path of every request answered 404 is appended to it."""
    page, errors = start_page(browser, url, not_found)
    settle(page, name)
    return page, errors
