"""The lecture's background warm-up starts in a real server only (AppTest's stand-in runtime would otherwise start
it in every test process that opens the lecture page, ~10 s of CPU each)."""

import threading

from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT
from ui.lecture import warmup


def test_the_lecture_page_under_apptest_starts_no_warm_up(monkeypatch):
    monkeypatch.setattr(warmup, "_started", threading.Event())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("app_pages/lecture.py").run()
    assert not at.exception
    assert not warmup._started.is_set()
    assert "lecture-warm-up" not in [t.name for t in threading.enumerate()]


def test_a_real_server_warms_up(monkeypatch):
    started: list[str] = []
    monkeypatch.setattr(warmup, "_started", threading.Event())
    monkeypatch.setattr(warmup.runtime, "exists", lambda: True)
    monkeypatch.setattr(warmup.threading, "Thread", lambda target, name, daemon: type(
        "T", (), {"start": lambda self: started.append(name)})())
    warmup.warm_up()
    warmup.warm_up()
    assert started == ["lecture-warm-up"]  # once per process
