"""Fixtures of the page tests: worker processes for the fuzzer and the random walk, with a tiny Fashion-MNIST."""

import pytest

from tests.pages.fuzzing import workers
from tests.pages.page_driver import small_fashion_data


@pytest.fixture(scope="session")
def page_workers(tmp_path_factory):
    """Two worker processes for the whole session (their page caches stay warm from one test to the next)."""
    with small_fashion_data(tmp_path_factory.mktemp("worker-data")):  # only the workers see the stand-in data:
        pool = workers()  # spawned (all of them) here, they keep this environment; the tests after keep theirs
    with pool:
        yield pool
