"""The training worker process: the loop's events come back through the queue, errors come back as messages,
and the spawned process never re-runs the server's main script (under Streamlit: the page)."""

from __future__ import annotations

import os
import sys
import time
import types

import pytest

from core.trainer import TrainConfig
from core.trainer.worker import Worker, WorkerSpec, run
from tests.browser_support import write_small_fashion_npz


@pytest.fixture(scope="module")
def tiny_npz(tmp_path_factory):
    return write_small_fashion_npz(tmp_path_factory.mktemp("data") / "tiny.npz", per_class=20)


def _messages_until_the_end(worker: Worker, seconds: float = 90) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out += worker.messages()
        if out and out[-1][0] in ("finished", "error"):
            worker.wait(10)
            return out
        worker.wait(0.1)
    worker.kill()
    pytest.fail(f"the worker sent no last message in {seconds} s: {[kind for kind, _ in out]}")


def test_a_training_in_the_worker_process_reports_epochs_and_finishes(tiny_npz, tmp_path, monkeypatch):
    marker = tmp_path / "main-ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)  # what Streamlit installs as __main__ while a page runs
    monkeypatch.setitem(sys.modules, "__main__", page)
    config = TrainConfig(hidden=(16,), epochs=2, batch_size=32, device="cpu", threads=1)
    worker = Worker(WorkerSpec(config, data_path=str(tiny_npz), save_to=str(tmp_path / "run")))
    assert sys.modules["__main__"] is page  # put back after the start
    messages = _messages_until_the_end(worker)
    events = [e for kind, payload in messages if kind == "events" for e in payload]
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("epoch") == 2
    steps = events[0].steps_per_epoch
    assert kinds.count("batch") == 2 * steps and len(messages) < len(events)  # batch events travel in groups
    kind, run = messages[-1]
    assert kind == "finished" and run.status == "completed" and [h["epoch"] for h in run.history] == [1, 2]
    assert run.metrics["test_accuracy"] is not None and run.mistakes and run.mistakes[0]["image"].shape == (28, 28)
    assert {"model.pt", "metrics.json"} <= set(os.listdir(run.folder))
    assert worker.exitcode == 0 and worker.pid != os.getpid()
    assert not marker.exists(), "the worker re-ran the parent's main script"
    worker.close()
    assert worker.messages() == []  # a closed worker has nothing more to read (no error)


def test_a_worker_that_raises_sends_an_error_message(tmp_path):
    worker = Worker(WorkerSpec(TrainConfig(hidden=(8,), epochs=1, device="cpu"), data_path=str(tmp_path / "no.npz")))
    kind, text = _messages_until_the_end(worker)[-1]
    assert kind == "error" and text.startswith("FileNotFoundError") and "no.npz" in text
    assert str(tmp_path) not in text  # the file's name, not the server's folders
    assert worker.exitcode == 0  # the process itself ended cleanly
    worker.close()


def _run_then_report_niceness(spec, queue, stop, parent):
    """A worker target: the real ``run``, then the niceness it left the process at."""
    run(spec, queue, stop, parent)
    queue.put(("niceness", os.getpriority(os.PRIO_PROCESS, 0)))


def test_the_worker_trains_at_a_lower_priority_than_the_server(tmp_path):
    spec = WorkerSpec(TrainConfig(hidden=(8,), epochs=1, device="cpu"), data_path=str(tmp_path / "no.npz"))
    server = os.getpriority(os.PRIO_PROCESS, 0)
    worker = Worker(spec, target=_run_then_report_niceness)
    deadline, messages = time.monotonic() + 60, []
    while time.monotonic() < deadline and not any(kind == "niceness" for kind, _ in messages):
        messages += worker.messages()
        worker.wait(0.1)
    worker.close()
    assert ("niceness", min(19, server + spec.niceness)) in messages
    assert os.getpriority(os.PRIO_PROCESS, 0) == server  # the server's own priority is untouched
