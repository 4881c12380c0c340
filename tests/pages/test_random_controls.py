"""A seeded random walk over every page's controls: 500 changes per page in random order, no run may raise.

It would have caught the optimizer page's crash (Steps 100 → 20 → 10 left "Step s" above its new maximum).
Changes are valid user actions (sliders to their ends or inside, options, toggles, typing, button clicks), one to four
per rerun; the walk is shared out over two worker processes (tests/pages/fuzzing.py).
"""

import pytest

from tests.pages.fuzzing import random_walk, share_out
from tests.pages.page_driver import PAGE_IDS, PAGES

CHANGES = 500
SEEDS = (7, 8)  # two walks per page, one per worker


@pytest.mark.parametrize("page", [p.url_path for p in PAGES], ids=PAGE_IDS)
def test_random_control_changes_never_raise(page, page_workers):
    done = share_out(page_workers, random_walk, [(page, s, CHANGES // len(SEEDS)) for s in SEEDS])
    assert sum(done) >= CHANGES, done
