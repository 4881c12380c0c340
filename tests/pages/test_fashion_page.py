"""The Fashion-MNIST page: background jobs and their cap, AppTest runs (data states, builder, training, replay)
and one real-browser run. Data is a tiny synthetic npz (or small IDX files on a local server), never the internet."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import IDLE, collect_errors, serve_app
from tests.browser_support import ROOT
from core.trainer import TrainConfig
from core.trainer.worker import WorkerSpec
from ui.fashion.jobs import Limiter, TrainingJob, start_training, training_threads

PAGE = str(ROOT / "app_pages" / "fashion_mnist.py")


# --- trainings in worker processes ----------------------------------------------------------
def test_the_line_is_first_come_first_served():
    limiter = Limiter(capacity=1)
    order = []
    assert limiter.acquire("first", lambda: False)
    waiters = {}
    for token in "ab":
        waiters[token] = threading.Thread(target=lambda t=token: limiter.acquire(t, lambda: False) and order.append(t))
        waiters[token].start()
        while limiter.position(token) is None:
            time.sleep(0.01)
    assert [limiter.position("a"), limiter.position("b")] == [1, 2] and limiter.running == 1
    limiter.release()
    waiters["a"].join(2)
    assert order == ["a"] and limiter.position("b") == 1
    limiter.release()
    waiters["b"].join(2)
    assert order == ["a", "b"] and limiter.running == 1


def test_a_waiting_job_says_its_place_and_leaves_the_line_without_a_process():
    limiter = Limiter(capacity=1)
    assert limiter.acquire("someone else", lambda: False)  # the only slot is taken
    spec = WorkerSpec(TrainConfig(hidden=(8,), epochs=1, device="cpu"))
    job = TrainingJob(spec, limiter=limiter).start()
    unwatched = TrainingJob(spec, limiter=limiter, heartbeat_timeout=0.3).start()
    time.sleep(0.2)
    assert (job.state, job.queue_position(), unwatched.queue_position()) == ("waiting", 1, 2)
    job.stop()
    assert job.join(2) and job.state == "cancelled" and "you left the line" in job.notice
    assert unwatched.join(2) and unwatched.state == "cancelled" and "nobody watched" in unwatched.notice
    assert job.worker is None and unwatched.worker is None and limiter.running == 1  # never started a process


def _wait(condition, seconds: float, *jobs: TrainingJob) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, [(j.label, j.state, j.error) for j in jobs]
        for j in jobs:
            j.heartbeat()
            j.snapshot()
        time.sleep(0.1)


def test_stop_ends_only_its_own_process_a_crash_is_an_error_and_an_unwatched_run_is_killed(tmp_path):
    """Three trainings at once: Stop ends the first (its process goes), the second's process is killed from
    outside (a crash: a clear error), the third keeps training through both and is killed once nobody watches."""
    data = write_small_npz(tmp_path / "small.npz")
    limiter = Limiter(capacity=3)
    # epochs: far more than the test lasts (each run is stopped, killed or abandoned); 200 could finish first
    config = TrainConfig(hidden=(16,), epochs=5000, batch_size=8, device="cpu", threads=1)
    jobs = [TrainingJob(WorkerSpec(config, data_path=str(data)), label=name, limiter=limiter, heartbeat_timeout=3.0)
            for name in ("stopped", "crashed", "watched")]  # fmt: skip
    for job in jobs:
        job.start()
    stopped, crashed, watched = jobs
    _wait(lambda: all(j.state == "running" and j.log.last_batch is not None for j in jobs), 120, *jobs)
    pids = [j.pid for j in jobs]
    assert len(set(pids)) == 3 and os.getpid() not in pids
    stopped.stop()
    _wait(lambda: not stopped.active, 30, *jobs)
    assert stopped.state == "done" and stopped.result.status == "stopped" and not stopped.worker.alive
    assert crashed.worker.alive and watched.worker.alive
    os.kill(crashed.pid, signal.SIGKILL)  # e.g. the out-of-memory killer
    _wait(lambda: not crashed.active, 30, watched, crashed)
    assert crashed.state == "error" and "killed by signal 9" in crashed.error and "keeps working" in crashed.error
    assert watched.state == "running" and watched.worker.alive and limiter.running == 1
    before = watched.log.last_batch.step
    _wait(lambda: watched.snapshot().last_batch.step > before, 30, watched)  # still training
    assert watched.join(20), "a run nobody watches must end"
    assert watched.state == "cancelled" and watched.abandoned and "nobody watched" in watched.notice
    assert not watched.worker.alive and watched.worker.exitcode == -signal.SIGKILL and limiter.running == 0


def test_start_training_gives_the_run_the_pages_threads(monkeypatch):
    limiter = Limiter(capacity=1)
    assert limiter.acquire("someone else", lambda: False)  # keeps the job waiting: no process needed here
    monkeypatch.setenv("FASHION_TRAIN_THREADS", "3")
    job = start_training(TrainConfig(hidden=(8,), epochs=1, device="cpu"), label="x", data_path="d.npz",
                         save_to="runs/x", limiter=limiter)  # fmt: skip
    job.stop()
    assert job.join(2) and job.state == "cancelled"
    assert (job.spec.config.threads, job.spec.data_path, job.spec.save_to, job.meta.threads) == (3, "d.npz", "runs/x", 3)


def test_training_threads_default_to_a_fair_share_and_follow_the_environment(monkeypatch):
    from core.trainer import models

    monkeypatch.delenv("FASHION_TRAIN_THREADS", raising=False)
    monkeypatch.setattr(models, "available_cores", lambda: 16)
    assert training_threads(1) == 8 and training_threads(4) == 4 and training_threads(32) == 1
    monkeypatch.setattr(models, "available_cores", lambda: 2)
    assert training_threads(1) == 2  # niced workers need no spare core (the CLI keeps one: cpu_threads())
    monkeypatch.setenv("FASHION_TRAIN_THREADS", "2")
    assert training_threads(8) == 2
    monkeypatch.setenv("FASHION_TRAIN_THREADS", "many")
    assert training_threads(8) == 1


def test_capacity_default_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FASHION_MAX_TRAININGS", "3")
    assert Limiter().capacity == 3
    monkeypatch.setenv("FASHION_MAX_TRAININGS", "zero")
    assert Limiter().capacity == max(1, (os.cpu_count() or 1) // 2)


# --- the page in AppTest -------------------------------------------------------------------
def write_small_npz(path, n_per_class: int = 40):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10, dtype=np.uint8), n_per_class)
    templates = rng.integers(0, 256, (10, 28, 28))
    images = np.clip(templates[labels] * 0.5 + rng.integers(0, 90, (labels.size, 28, 28)), 0, 255).astype(np.uint8)
    np.savez(path, images=images, labels=labels)
    return path


@pytest.fixture
def small_npz(tmp_path, monkeypatch):
    path = write_small_npz(tmp_path / "small.npz")
    monkeypatch.setenv("FASHION_MNIST_NPZ", str(path))
    monkeypatch.setenv("FASHION_RUNS_DIR", str(tmp_path / "runs"))
    return path


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _wait_for_results(at: AppTest, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
        if any(h.value == "4. Results" for h in at.header):
            return
    job = at.session_state["fm_job"] if "fm_job" in at.session_state else None
    state = (job.state, job.error, job.queue_position()) if job is not None else None
    pytest.fail(f"training did not finish in {seconds} s: job {state}, errors {[e.value for e in at.error]}")


def test_page_shows_data_gallery_summary_and_schedule(small_npz):
    at = _page()
    assert at.title[0].value == "Fashion-MNIST trainer"
    assert any("400 images" in c.value for c in at.caption)
    assert _metric(at, "Total parameters") == "669,706" and _metric(at, "Estimated size") == "2.679 MB"
    assert len(at.get("vega_lite_chart")) >= 1  # the learning-rate schedule
    assert not at.button(key="train").disabled


def test_presets_and_url_restore_the_builder(small_npz):
    at = _page()
    at.selectbox(key="preset").select("regularized").run()
    assert at.text_input(key="hidden").value == "265, 64, 32" and at.toggle(key="bn").value
    assert at.slider(key="epochs").value == 10 and _metric(at, "Total parameters") == "228,181"
    linked = AppTest.from_file(PAGE, default_timeout=60)
    linked.query_params["preset"] = "small"
    linked.run()
    assert linked.text_input(key="hidden").value == "256, 32" and _metric(linked, "Total parameters") == "209,514"


def test_a_preset_picked_on_a_linked_page_is_not_called_an_invalid_link(small_npz):
    linked = AppTest.from_file(PAGE, default_timeout=60)
    linked.query_params["hidden"] = "512, 512"
    linked.query_params["epochs"] = "5"
    linked.run()
    linked.selectbox(key="preset").select("regularized").run()
    assert linked.text_input(key="hidden").value == "265, 64, 32" and linked.slider(key="epochs").value == 10
    assert not [w.value for w in linked.warning if "not valid" in w.value]


def test_official_split_without_the_official_files_falls_back_with_a_warning(small_npz):
    at = _page()
    at.selectbox(key="split").select("official").run()
    assert any("official 60,000/10,000 split needs" in w.value for w in at.warning)
    assert not at.button(key="train").disabled


@pytest.mark.parametrize("schedule, epochs, steps", [("constant", 5, 4), ("cosine_restarts", 30, 185)])
def test_learning_rate_preview_spans_the_whole_run_from_epoch_0(schedule, epochs, steps):
    from core.trainer import preset
    from core.trainer.optim import make_lr_schedule
    import altair as alt

    from ui.fashion.charts import lr_preview

    lr_at = make_lr_schedule(preset("lecture", schedule=schedule, epochs=epochs), steps)
    spec = lr_preview(lr_at, steps * epochs, steps)
    df = spec["datasets"]["lr"]
    assert df["epoch"].iloc[0] == 0.0 and df["epoch"].iloc[-1] == epochs  # from the first step to the run's end
    assert df["lr"].iloc[0] == pytest.approx(0.001) and df["epoch"].is_monotonic_increasing
    drawn = (df["epoch"].to_numpy()[:-1] * steps).round().astype(int)  # each point is η of the step it starts
    assert list(df["lr"].iloc[:-1]) == [lr_at(int(s)) for s in drawn] and df["lr"].iloc[-1] == lr_at(steps * epochs - 1)
    assert spec["title"] == "Learning-rate schedule" and spec["autosize"]["type"] == "fit-x"  # no squashed plot
    alt.Chart.from_dict({**spec, "datasets": {"lr": df.to_dict("records")}})  # a valid Vega-Lite spec (Altair's schema)


def test_the_training_chart_fits_a_half_page_column_with_its_whole_legend():
    """The replay chart sits in a 466 px column at 1280×720: its legend (train | val in two columns) and its key
    must not be wider than that, or the browser clips them ("val accu")."""
    import re

    import vl_convert as vlc

    from ui.fashion.charts import training_curves

    n = 40
    batches = {"epoch": list(np.linspace(0.1, 15, n)), "loss": [0.5] * n, "accuracy": [0.8] * n,
               "smooth_loss": [0.5] * n, "smooth_accuracy": [0.8] * n}  # fmt: skip
    epochs = [{"epoch": e, "val_loss": 0.4, "val_accuracy": 0.85} for e in range(1, 16)]
    spec = training_curves(batches, epochs, n_epochs=15, title="lecture: up to epoch 15")
    spec["datasets"] = {name: frame.to_dict("records") for name, frame in spec["datasets"].items()}
    natural = vlc.vegalite_to_svg({**spec, "width": 100, "autosize": {"type": "pad"}})  # a 100 px plot, all else around it
    width = float(re.search(r'<svg[^>]*width="([\d.]+)"', natural).group(1))
    assert width <= 400, f"legend or key needs {width:.0f} px"
    svg = vlc.vegalite_to_svg({**spec, "width": 466})
    assert all(label in svg for label in ("train loss", "train accuracy", "val loss", "val accuracy"))


def test_invalid_builder_input_is_a_message_not_a_crash(small_npz):
    at = _page()
    at.text_input(key="hidden").input("5000").run()
    assert not at.exception and at.button(key="train").disabled
    assert any("8–1024" in e.value for e in at.error)


def test_short_training_run_then_a_second_run_to_compare(small_npz):
    at = _page()
    at.text_input(key="hidden").input("32").run()
    at.slider(key="epochs").set_value(3).run()
    at.button(key="train").click().run()
    _wait_for_results(at)
    assert not at.exception
    accuracy = float(_metric(at, "Test accuracy"))
    assert 0.3 < accuracy <= 1.0  # chance is 0.1
    assert _metric(at, "Epochs run") == "3"
    assert len(at.get("vega_lite_chart")) >= 5  # schedule, live curves, confusion, per class, overlay (+ probabilities)
    at.text_input(key="dropout").input("0.5").run()
    at.button(key="train").click().run()
    deadline = time.monotonic() + 60
    def session_table():  # the table of this session's runs (the replay section's lecture table follows it)
        return next((df.value for df in at.dataframe if "status" in df.value), [])

    while len(session_table()) < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
    table = session_table()
    assert list(table["run"]) == ["#1 lecture · hidden 32 · 3 epochs", "#2 lecture · hidden 32 · dropout 0.5 · 3 epochs"]
    assert list(table["dropout"]) == ["0", "0.5"]
    assert len(at.get("download_button")) == 3
    at.selectbox(key="transfer").select(table["run"][0]).run()
    at.slider(key="freeze").set_value(1).run()
    at.toggle(key="bn").set_value(True).run()  # frozen layers whose batch norm was never trained
    assert any("cannot freeze" in e.value for e in at.error) and at.button(key="train").disabled
    at.toggle(key="bn").set_value(False).run()
    assert not at.error and not at.button(key="train").disabled


def test_stop_button_stops_the_run(small_npz):
    at = _page()
    at.slider(key="epochs").set_value(50).run()
    at.select_slider(key="bs").set_value(8).run()
    at.button(key="train").click().run()
    deadline = time.monotonic() + 60
    starting = False  # the worker process imports torch and loads the data first: the page says so meanwhile
    while not at.get("progress") and time.monotonic() < deadline:
        starting |= any("Starting the training process" in i.value for i in at.info) and at.button(key="stop").label == "Stop"
        time.sleep(0.2)
        at.run()
    assert starting and at.get("progress")
    at.button(key="stop").click().run()
    _wait_for_results(at, 30)
    assert any("stopped" in c.value for c in at.caption)


def test_a_crashed_training_process_is_a_clear_message_and_the_page_keeps_working(small_npz):
    at = _page()
    at.slider(key="epochs").set_value(50).run()
    at.select_slider(key="bs").set_value(8).run()
    at.button(key="train").click().run()
    deadline = time.monotonic() + 60
    while not at.get("progress") and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    job = at.session_state["fm_job"]
    os.kill(job.pid, signal.SIGKILL)  # as the out-of-memory killer would
    deadline = time.monotonic() + 30
    while not at.error and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    message = " ".join(e.value for e in at.error)
    assert "Training failed" in message and "killed by signal 9" in message and not at.exception
    assert not at.button(key="train").disabled and "4. Results" not in [h.value for h in at.header]


def test_missing_data_file_gives_instructions_and_the_page_keeps_working(tmp_path, monkeypatch):
    monkeypatch.setenv("FASHION_MNIST_NPZ", str(tmp_path / "nope.npz"))
    at = _page()
    assert any("not available" in e.value for e in at.error)
    assert any("FASHION_MNIST_NPZ" in i.value for i in at.info)
    assert at.button(key="train").disabled and _metric(at, "Total parameters") == "669,706"


def test_a_failed_download_is_not_retried_by_every_rerun_until_someone_asks(tmp_path, monkeypatch):
    from core.trainer import download

    calls: list[str] = []

    def unreachable(*args, **kwargs):
        calls.append("download")
        raise download.DownloadError("No mirror answered (offline?).")

    monkeypatch.delenv("FASHION_MNIST_NPZ", raising=False)
    monkeypatch.setenv("FASHION_MNIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FASHION_MNIST_MIRRORS", f"http://127.0.0.1:1/{tmp_path.name}/")  # a source of its own
    monkeypatch.setattr(download, "fetch_official", unreachable)
    at = _page()
    at.run()
    other = _page()  # another student's session
    assert calls == ["download"]  # one try for all three runs
    for page in (at, other):
        assert any("not available" in e.value and "offline" in e.value for e in page.error) and not page.exception
    other.button(key="retry_data").click().run()
    assert calls == ["download", "download"] and any("not available" in e.value for e in other.error)


def test_page_downloads_the_official_files_from_a_mirror(tmp_path, monkeypatch):
    from tests.trainer.test_data import MD5S, Server

    server = Server()
    try:
        monkeypatch.delenv("FASHION_MNIST_NPZ", raising=False)
        monkeypatch.setenv("FASHION_MNIST_CACHE", str(tmp_path / "cache"))
        monkeypatch.setattr("core.trainer.download.OFFICIAL_MD5", MD5S)  # the test files' checksums
        monkeypatch.setenv("FASHION_MNIST_MIRRORS", f"{server.url}/gone/")
        at = _page()
        (error,) = [e.value for e in at.error if "not available" in e.value]
        assert "Could not download" in error and "http" not in error  # one line; the tries are folded away
        tried = " ".join(t.value for t in at.text)
        assert f"{server.url}/gone/" in tried and "To work offline" in tried
        monkeypatch.setenv("FASHION_MNIST_MIRRORS", server.mirror("good"))
        at = _page()
        assert any("official files, downloaded" in c.value for c in at.caption)  # where from, not a path
        assert (tmp_path / "cache" / "fashion-mnist-uint8.npz").is_file()
    finally:
        server.close()


def test_replay_scrubs_through_a_saved_run(small_npz, tmp_path):
    from core.trainer.data import load_npz
    from core.trainer import TrainConfig, run_experiment, save_run

    result, _, _ = run_experiment(TrainConfig(hidden=(16,), epochs=3, device="cpu"), load_npz(small_npz))
    save_run(result, tmp_path / "runs" / "prepared")
    at = _page()
    assert at.selectbox(key="replay_run").options[-1] == "prepared"  # after the shipped lecture runs
    at.selectbox(key="replay_run").select("prepared").run()
    assert at.slider(key="replay_epoch").value == 3
    at.slider(key="replay_epoch").set_value(1).run()
    assert not at.exception
    assert _metric(at, "val accuracy") == f"{result.history[0]['val_accuracy']:.4f}"


# --- a public deployment: no paths out, no probing, only real devices ---------------------------
def _texts(at: AppTest) -> list[str]:
    """Every text the page shows (markdown, captions, notices, metrics, table cells, widget labels and options)."""
    out = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "header", "subheader", "metric"):
        out += [str(getattr(e, "value", "")) + str(getattr(e, "label", "")) for e in at.get(kind)]
    for kind in ("selectbox", "text_input", "slider", "select_slider", "toggle", "radio"):
        out += [f"{e.label} {getattr(e, 'options', '')} {e.help or ''}" for e in at.get(kind)]
    out += [df.value.to_csv() for df in at.dataframe]
    return out


def _prepared_run(root, name: str = "prepared"):
    from core.trainer import TrainConfig, run_experiment, save_run
    from core.trainer.data import FashionMNIST

    rng = np.random.default_rng(1)
    data = FashionMNIST(rng.integers(0, 256, (200, 28, 28), dtype=np.uint8), np.repeat(np.arange(10), 20), "test")
    result, _, _ = run_experiment(TrainConfig(hidden=(8,), epochs=1, device="cpu"), data)
    return save_run(result, root / name)


def test_replays_come_only_from_the_runs_folder_whatever_the_link_says(small_npz, tmp_path, monkeypatch):
    import pathlib

    from core.trainer.replays import APP_ROOT, LECTURE_RUNS

    runs = tmp_path / "runs"
    _prepared_run(runs)
    secret = _prepared_run(tmp_path / "outside", "secret")  # a run outside the runs folder
    (runs / "escape").symlink_to(secret, target_is_directory=True)  # a symlinked folder leading out
    (runs / "sneaky").mkdir()
    for name in ("config.json", "history.json"):
        (runs / "sneaky" / name).symlink_to(secret / name)  # symlinked files leading out
    allowed = (APP_ROOT.resolve(), runs.resolve(), small_npz.resolve())
    touched = []
    for method in ("iterdir", "read_text", "read_bytes", "is_dir", "is_file", "exists", "open"):
        original = getattr(pathlib.Path, method)

        def spy(self, *args, _original=original, **kwargs):
            touched.append(pathlib.Path(os.path.abspath(self)))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(pathlib.Path, method, spy)
    links = [{"replay_dir": "/"}, {"replay_dir": "/etc"}, {"replay_dir": "../../"}, {"replay_dir": str(secret.parent)},
             {"replay_run": "/etc"}, {"replay_run": "../outside/secret"}, {"replay_run": str(secret)},
             {"replay_run": "escape"}, {"replay_run": "sneaky"}, {"replay_run": "../../etc/passwd"}]  # fmt: skip
    for params in links:
        touched.clear()
        at = AppTest.from_file(PAGE, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, params
        assert at.selectbox(key="replay_run").options == [*LECTURE_RUNS, "prepared"], params
        outside = {str(p) for p in touched if not any(p.is_relative_to(a) for a in allowed)}
        assert not {p for p in outside if "outside" in p or p.startswith("/etc") or p in ("/", str(tmp_path))}, params
        shown = [t.replace(f"{key}={value}", "") for t in _texts(at) for key, value in params.items()]  # minus echoes
        assert not any("secret" in t or "/etc" in t or str(tmp_path) in t for t in shown), params
        if "replay_run" in params:  # a link naming a run that isn't there says so
            assert any("replay_run" in w.value and "not valid" in w.value for w in at.warning), params


def test_no_server_path_is_shown_for_the_data_or_its_errors(small_npz, tmp_path, monkeypatch):
    from core.trainer.replays import APP_ROOT

    def paths_shown(at):
        return [t for t in _texts(at) if str(tmp_path) in t or str(APP_ROOT) in t or os.path.expanduser("~") in t]

    at = _page()
    assert any("400 images" in c.value and "local file" in c.value for c in at.caption)
    at.selectbox(key="split").select("official").run()
    assert any("official 60,000/10,000 split needs" in w.value for w in at.warning)
    assert paths_shown(at) == []
    monkeypatch.setenv("FASHION_MNIST_NPZ", str(tmp_path / "nope.npz"))  # a missing file
    at = _page()
    assert any("not available" in e.value for e in at.error) and paths_shown(at) == []
    bad = tmp_path / "bad.npz"
    np.savez(bad, pictures=np.zeros(3))  # a file of the wrong kind
    monkeypatch.setenv("FASHION_MNIST_NPZ", str(bad))
    at = _page()
    assert any("lacks" in e.value for e in at.error) and paths_shown(at) == []


def test_a_fresh_deploy_replays_the_shipped_lecture_runs(small_npz, tmp_path):
    from core.trainer.replays import LECTURE_RUNS

    assert not (tmp_path / "runs").exists()  # FASHION_RUNS_DIR points at a folder that was never made
    at = _page()
    pick = at.selectbox(key="replay_run")
    assert pick.options == list(LECTURE_RUNS) and pick.value == "lecture"
    table = next(df.value for df in at.dataframe if "lecture: max val acc" in df.value)
    assert list(table["run"]) == list(LECTURE_RUNS)
    assert list(table["lecture: max val acc"][:2]) == ["0.8579", "0.8737"]
    assert all(float(v) > 0.85 for v in table["ours: max val acc"])
    assert at.slider(key="replay_epoch").value == 15
    assert any("python -m core.trainer --preset lecture" in c.value and "0.8579" in c.value for c in at.caption)
    assert not any(m.label == "Test accuracy" for m in at.metric)  # its expander is drawn only when opened
    at.session_state["replay_results"] = True  # open "Test results of this run"
    for name, epochs in (("new-model", 10), ("best", 20)):
        at.selectbox(key="replay_run").select(name).run()
        assert not at.exception and at.slider(key="replay_epoch").value == epochs
        assert float(_metric(at, "Test accuracy")) > 0.85
    linked = AppTest.from_file(PAGE, default_timeout=60)
    linked.query_params["replay_run"] = "new-model"
    linked.query_params["replay_epoch"] = "4"
    linked.run()
    assert linked.selectbox(key="replay_run").value == "new-model" and linked.slider(key="replay_epoch").value == 4


@pytest.mark.parametrize("gpu", [False, True])
def test_device_choice_offers_only_devices_that_exist(small_npz, monkeypatch, gpu):
    import torch

    from core.trainer import models

    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpu)
    monkeypatch.setattr(models, "_mps_available", lambda: False)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["device"] = "cuda"
    at.run()
    assert not at.exception
    device = at.selectbox(key="device")
    assert device.options == (["auto", "cpu", "cuda"] if gpu else ["auto", "cpu"])
    if gpu:
        assert device.value == "cuda" and not [w for w in at.warning if "device" in w.value]
    else:
        assert device.value == "cpu" and any("no CUDA GPU" in w.value for w in at.warning)
        assert not at.button(key="train").disabled and "CPU" in device.help
        at.run()  # the next run keeps the CPU without repeating the notice
        assert at.selectbox(key="device").value == "cpu" and not [w for w in at.warning if "device" in w.value]


def test_too_many_dropout_rates_say_how_many_fit(small_npz):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["dropout"] = "0.9,0.9,0.9,0.9"
    at.query_params["hidden"] = "512"
    at.run()
    message = " ".join(e.value for e in at.error)
    assert "one hidden layer takes one rate, got 4 rates" in message and "0, 1 or 1" not in message
    assert at.button(key="train").disabled


# --- a real browser --------------------------------------------------------------------------
@pytest.mark.browser
def test_browser_trains_a_small_model(tmp_path, browser):
    data = write_small_npz(tmp_path / "small.npz")
    with serve_app({"FASHION_MNIST_NPZ": str(data), "FASHION_RUNS_DIR": str(tmp_path / "runs")}) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 3000})
        errors = collect_errors(page)
        try:
            page.goto(url)  # in through the navigation, as a student would
            page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
            page.locator('[data-testid="stSidebarNav"]').get_by_text("Fashion-MNIST trainer").click()
            page.get_by_role("button", name="Train").click(timeout=60_000)
            page.get_by_role("heading", name="4. Results").wait_for(timeout=90_000)
            page.wait_for_selector(IDLE, timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 4
            assert page.get_by_text("Test accuracy").count() >= 1
            assert errors == [], errors
        finally:
            page.close()
