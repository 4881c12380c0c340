"""Real-browser smoke test: `streamlit run app.py` on loopback, every page opened in headless Chromium.

Uses the system Chromium (Debian package `chromium`) through Playwright; never downloads a browser.
Skips when Chromium or Playwright is missing, unless REQUIRE_BROWSER=1, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from ui.navigation import existing_pages

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg, [data-testid="stGraphVizChart"] svg'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"


def _missing(reason: str):
    if REQUIRED:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app served on a free loopback port, with a tiny Fashion-MNIST stand-in as its data."""
    data = tmp_path_factory.mktemp("data") / "fashion-small.npz"
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10, dtype=np.uint8), 30)
    np.savez_compressed(data, images=rng.integers(0, 256, (labels.size, 28, 28), dtype=np.uint8), labels=labels)
    port = _free_port()
    env = {**os.environ, "FASHION_MNIST_NPZ": str(data)}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address", "127.0.0.1",
           "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {proc.stdout.read() if proc.stdout else ''}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        _missing("Chromium is not installed (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright (Python) is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def _is_error(message) -> bool:
    """A console error, except the frontend's own probe for a base path on deep links.

    Opened at /activations, Streamlit's frontend first asks /activations/_stcore/health and
    /activations/_stcore/host-config (404), then falls back to the root; that is its design, not a fault of the app.
    """
    if message.type != "error":
        return False
    url = message.location.get("url", "")
    return not ("/_stcore/" in url and "404" in message.text)


def _open(browser, url: str, name: str):
    """Open url, wait until the script is idle and a chart is drawn; return the page and its console errors."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url', '')})") if _is_error(m) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stMain"]', timeout=60_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_selector(CHART, timeout=60_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_timeout(500)
    # Streamlit scrolls inside its main block, so grow the viewport to the content for a whole-page picture.
    height = page.evaluate('document.querySelector(\'[data-testid="stMain"]\').scrollHeight')
    page.set_viewport_size({"width": 1400, "height": min(max(int(height), 1000), 12000)})
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    return page, errors


@pytest.mark.parametrize("info", existing_pages(), ids=[p.url_path or "home" for p in existing_pages()])
def test_page_renders_in_chromium(server, browser, info):
    page, errors = _open(browser, f"{server}/{info.url_path}", info.url_path or "home")
    try:
        assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()
        assert page.locator(CHART).count() >= 1
        assert page.locator("h1").first.inner_text().strip()
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert info.title in nav and "Home" in nav, nav  # the app's navigation, not a bare pages/ listing
        assert errors == [], errors
    finally:
        page.close()


def test_link_restores_the_home_demo_and_flags_bad_values(server, browser):
    page, errors = _open(browser, f"{server}/?w1=-3.5&b=1.2&data=xor&w2=oops", "home-link")
    try:
        assert page.get_by_text("-3.50").count() >= 1  # the w₁ slider's value
        assert page.get_by_text("w2=oops").count() == 1  # the notice names the rejected value
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "w1=-3.5" in page.url and "data=xor" in page.url
        assert errors == [], errors
    finally:
        page.close()
