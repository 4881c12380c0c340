"""Compute every scene's default view once per server, in the background, so → never waits for a first run."""

from __future__ import annotations

import logging
import threading

from streamlit import config, runtime

from ui.lecture.controls import DefaultControls
from ui.lecture.registry import SCENE_LIST

_started = threading.Event()


def _run() -> None:
    # st.cache_data works outside a script run; its note about the missing ScriptRunContext is noise here
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    for scene in SCENE_LIST:
        try:
            scene.draw(DefaultControls(scene.id))
        except Exception:  # a scene that fails here fails visibly when it is shown; warming is best effort
            logging.getLogger(__name__).exception("warming scene %s failed", scene.id)


def serving() -> bool:
    """Whether a real server runs this script (AppTest's stand-in runtime also "exists", and flags its runs)."""
    return runtime.exists() and not config.get_option("global.appTest")


def warm_up() -> None:
    """Start the background pass once per server process (later calls, and runs without a server, do nothing)."""
    if serving() and not _started.is_set():
        _started.set()
        threading.Thread(target=_run, name="lecture-warm-up", daemon=True).start()
