"""The test harness's wait for an AppTest run (tests/apptest_wait.py): it returns when the run ends, and a run that
outlives its time-out is stopped with Streamlit's own error."""

import time

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import local_script_runner

from tests.apptest_wait import wait_for_shutdown


def _slow_script():
    import time as t

    import streamlit as st

    st.write("started")
    t.sleep(float(st.query_params.get("sleep", "0")))
    st.write("finished")


def test_every_apptest_run_in_the_suite_uses_the_event_wait():
    assert local_script_runner.require_widgets_deltas is wait_for_shutdown  # installed by tests/pages/page_driver.py


def test_a_run_is_awaited_to_its_end():
    at = AppTest.from_function(_slow_script, default_timeout=30)
    at.query_params["sleep"] = "0.3"
    started = time.monotonic()
    at.run()
    assert time.monotonic() - started >= 0.3
    assert [m.value for m in at.markdown] == ["started", "finished"]


def test_a_run_past_its_time_out_is_stopped_with_streamlits_error():
    at = AppTest.from_function(_slow_script, default_timeout=0.2)
    at.query_params["sleep"] = "1.5"
    with pytest.raises(RuntimeError, match=r"timed out after 0\.2\(s\)"):
        at.run()
