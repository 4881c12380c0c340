"""Fuzzed links: every page of the navigation opened with random query strings (hypothesis, seeded).

Known keys get random, edge and garbage values (out of range, not a number, unknown options, repeated keys,
very long values, unicode), mixed with unknown keys. A link must never raise, and every value the page does
not show as asked must be named in a notice. Each example is a fresh session (a link opens a new one); the
examples are shared out over two worker processes (tests/pages/fuzzing.py).
"""

import pytest

from tests.pages.fuzzing import fuzz_links, share_out
from tests.pages.page_driver import PAGE_IDS, PAGES

EXAMPLES = 200
SEEDS = (1, 2)  # one stream of examples per worker


@pytest.mark.parametrize("page", [p.url_path for p in PAGES], ids=PAGE_IDS)
def test_random_links_never_raise_and_every_rejected_value_has_a_notice(page, page_workers):
    tried = share_out(page_workers, fuzz_links, [(page, s, EXAMPLES // len(SEEDS)) for s in SEEDS])
    assert sum(tried) >= EXAMPLES, tried
