"""Lecture mode: how long → takes from the key press until the next scene's figure is drawn (Chromium, 1280×720).

Starts `streamlit run app.py`, opens /lecture, visits every scene once (so each scene's default view is computed
and cached, as the page's warm-up does on a server), then steps through all scenes again with → and prints the
median and the slowest switch. Questions are revealed with → too (that press is not counted).

    python bench/lecture.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser.lecture_support import new_lecture_page, open_scene, press_and_time, wait_drawn  # noqa: E402
from tests.browser_support import chromium_browser, serve_app  # noqa: E402
from ui.lecture.registry import SCENE_LIST  # noqa: E402


def _walk(page, times: list[float] | None) -> None:
    for i, scene in enumerate(SCENE_LIST):
        if i:
            seconds = press_and_time(page, "ArrowRight", scene.title)
            if times is not None:
                times.append(seconds)
        if scene.question:
            page.keyboard.press("ArrowRight")
            page.wait_for_selector(".lecture-question", state="detached")
            wait_drawn(page, scene.title)


def main() -> None:
    with serve_app() as url, chromium_browser() as browser:
        page, _ = new_lecture_page(browser)
        open_scene(page, url, f"scene={SCENE_LIST[0].id}", SCENE_LIST[0].title)
        _walk(page, None)  # first pass: every scene computed once
        open_scene(page, url, f"scene={SCENE_LIST[0].id}", SCENE_LIST[0].title)
        times: list[float] = []
        _walk(page, times)
        slowest = max(range(len(times)), key=times.__getitem__)
        print(f"{len(times)} scene switches with →: median {statistics.median(times) * 1000:.0f} ms, "
              f"slowest {times[slowest] * 1000:.0f} ms (to '{SCENE_LIST[slowest + 1].id}')")


if __name__ == "__main__":
    main()
