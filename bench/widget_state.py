"""What a widget pays to read its own key's state: Streamlit's filtered_state (every key's value presented)
against ui.widgets.LazyFilteredState (the same keys, one value read), on the real session state of busy pages.

    python bench/widget_state.py [--calls 2000]

Prints per page: keys in the session, widget reads per rerun (select boxes, radios, number inputs, value-less
sliders), µs per read both ways, their ratio, and the ms a rerun saves.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.widgets import LAZY_MODULES, LazyFilteredState, lazy_widget_state  # noqa: E402

PAGES = {  # page: query parameters (the optimizer zoo's link draws every contestant's widgets)
    "optimizers": {"adam_lr": "0.05"},
    "playground": {},
    "fashion_mnist": {},
    "initialization": {"ab": "true"},
}


def reads_per_rerun(at: AppTest) -> int:
    """How many times the widget modules asked for the filtered state during one rerun."""
    count = [0]
    originals = {}
    for name in LAZY_MODULES:
        module = importlib.import_module(f"streamlit.elements.widgets.{name}")
        originals[name] = current = module.get_session_state

        def counting(current=current):
            count[0] += 1
            return current()

        module.get_session_state = counting
    try:
        at.run()
    finally:
        for name, f in originals.items():
            importlib.import_module(f"streamlit.elements.widgets.{name}").get_session_state = f
    return count[0]


def per_call_us(f, calls: int) -> float:
    t0 = time.perf_counter()
    for _ in range(calls):
        f()
    return 1e6 * (time.perf_counter() - t0) / calls


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args()
    lazy_widget_state()
    print(f"{'page':16} {'keys':>5} {'reads':>6} {'streamlit µs':>13} {'lazy µs':>8} {'ratio':>6} {'saved ms/rerun':>15}")
    for page, params in PAGES.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(f"app_pages/{page}.py").run()
        reads = reads_per_rerun(at)
        safe = at.session_state._state
        key = next(iter(LazyFilteredState(safe)))
        full = per_call_us(lambda: key in safe.filtered_state and safe.filtered_state[key], args.calls // 2)
        lazy = per_call_us(lambda: (fs := LazyFilteredState(safe)) and key in fs and fs[key], args.calls)
        print(f"{page:16} {len(LazyFilteredState(safe)):5d} {reads:6d} {full:13.1f} {lazy:8.1f} {full / lazy:6.1f} "
              f"{reads * (full - lazy) / 1000:15.2f}")


if __name__ == "__main__":
    main()
