"""AppTest waits for a script run by waking every millisecond to scan the run's events (Streamlit 1.67's
``require_widgets_deltas``): the waking test thread takes the GIL from the script it waits for, ~15 % of a page test's
CPU. ``install()`` makes it wait on the runner's own SHUTDOWN event instead; the time-out and its error are unchanged."""

from __future__ import annotations

import threading

from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.testing.v1 import local_script_runner


def wait_for_shutdown(runner: local_script_runner.LocalScriptRunner, timeout: float = 3) -> None:
    """Return once ``runner`` has emitted SHUTDOWN; after ``timeout`` s stop it and raise, as Streamlit's own wait does."""
    done = threading.Event()

    def on_event(_sender, event: ScriptRunnerEvent, **_kwargs) -> None:
        if event == ScriptRunnerEvent.SHUTDOWN:
            done.set()

    runner.on_event.connect(on_event, weak=False)
    try:
        if runner.script_stopped() or done.wait(timeout):
            return
    finally:
        runner.on_event.disconnect(on_event)
    runner.request_stop()
    runner.join()
    raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")


def install() -> None:
    """Use ``wait_for_shutdown`` for every AppTest run in this process."""
    local_script_runner.require_widgets_deltas = wait_for_shutdown
