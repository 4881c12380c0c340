"""Shared test setup: run from the repository root so pages and core import as in the app; browser fixtures."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser_support import chromium_browser, serve_app, write_small_fashion_npz  # noqa: E402
import tests.pages.page_driver  # noqa: E402,F401  (scans the installed Streamlit components once per session)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app on a free loopback port, one for the whole run (its page caches stay warm from one browser module to
    the next, as a deployed server's do), with a tiny Fashion-MNIST stand-in as its data."""
    data = write_small_fashion_npz(tmp_path_factory.mktemp("data") / "fashion-small.npz")
    with serve_app({"FASHION_MNIST_NPZ": str(data)}) as url:
        yield url


@pytest.fixture
def fresh_server(tmp_path):
    """A server no session has visited yet: for what a shared link meets right after a (Cloud) restart."""
    data = write_small_fashion_npz(tmp_path / "fashion-small.npz")
    with serve_app({"FASHION_MNIST_NPZ": str(data)}) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with chromium_browser() as b:
        yield b

