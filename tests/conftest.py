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
from ui.widgets import lazy_widget_state, remember_arg_names  # noqa: E402

lazy_widget_state()  # the widgets as app.py runs them (tests/ui/test_widget_state.py checks it changes no answer)
remember_arg_names()  # the caches as app.py runs them (tests/ui/test_widget_state.py)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a free loopback port (one per test module), with a tiny Fashion-MNIST stand-in as its data."""
    data = write_small_fashion_npz(tmp_path_factory.mktemp("data") / "fashion-small.npz")
    with serve_app({"FASHION_MNIST_NPZ": str(data)}) as url:
        yield url


@pytest.fixture
def fresh_server(tmp_path):
    """A server no session has visited yet: for what a shared link meets right after a (Cloud) restart."""
    data = write_small_fashion_npz(tmp_path / "fashion-small.npz")
    with serve_app({"FASHION_MNIST_NPZ": str(data)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


# The longest modules, longest first: pytest.ini's `-n auto --dist loadfile --no-loadscope-reorder` hands files to the
# workers in this order, so the long ones start at once and the short ones fill in around them, instead of a long one
# starting last and running alone at the end.
LONG_MODULES = ("tests/pages/test_random_controls.py", "tests/browser/test_pages.py", "tests/pages/test_fuzz_links.py",
                "tests/browser/test_optimizers.py", "tests/browser/test_lecture.py", "tests/pages/test_fashion_page.py",
                "tests/browser/test_activations_initialization.py", "tests/browser/test_model_selection.py")


def pytest_collection_modifyitems(items):
    rank = {m: i for i, m in enumerate(LONG_MODULES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(LONG_MODULES)))  # stable: keeps the rest's order
