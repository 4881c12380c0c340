"""Fashion-MNIST trainer: the lecture's PyTorch practice part as a live trainer (data, model, train, evaluate, replay)."""

import os
import tempfile
import time
from pathlib import Path

import streamlit as st

from core.trainer.data import CLASS_NAMES, cache_status, load_fashion_mnist, sample_gallery
from core.trainer.download import MIRRORS_ENV, NPZ_ENV, DownloadError, default_cache_dir, offline_instructions
from core.trainer.experiment import check_transfer
from ui.charts import theme
from ui.fashion import cached as fc_cached
from ui.fashion import charts as fc
from ui.fashion.controls import model_builder, run_label
from ui.fashion.views import RunRecord, history_view, replay_view, results_view, summary_view, without_paths
from ui.fashion.jobs import LIMITER, TrainingJob, start_training
from ui.urlstate import fit_state, share_hint

ss = st.session_state
ss.setdefault("fm_runs", [])

st.title("Fashion-MNIST trainer")
st.markdown(
    "The lecture's *neural networks in practice* part, live: 70,000 greyscale 28×28 images of 10 kinds of clothing, "
    "flattened to 784 inputs, a stratified 25% test split and a validation split from the rest. Build a multilayer "
    "network, train it with PyTorch and watch the loss $\\mathcal{L}$ and the accuracy per batch, and the validation "
    "scores per epoch. Then see where it errs, compare runs (with and without dropout, batch norm, weight decay) "
    "and replay runs saved before the lecture."
)
share_hint()


# --- 1. data -------------------------------------------------------------------------------
RETRY_DOWNLOAD_AFTER_S = 600.0  # a failed download is not tried again by every rerun of every session


def _retry_download() -> None:
    fc_cached.data_slot()["failed"] = None


def _unavailable(message: str, offline: bool) -> None:
    """The reason in one line; what a failed download tried (every mirror, every round) and how to work offline
    folded away below it."""
    headline, _, details = message.partition("\n")
    st.error(f"**Fashion-MNIST is not available.** {headline}")
    if details.strip():
        with st.expander("What was tried, and how to work offline"):
            st.text("\n".join(line.strip() for line in details.strip().splitlines()))
    if offline:
        st.info(offline_instructions())


def load_data():
    """The data set, downloading the official files with a progress bar the first time; None when unavailable. A
    failed download is shown again for 10 minutes (or until "Try again") instead of holding every session's rerun
    for another round of time-outs: on a closed network each try takes up to a minute."""
    key = os.environ.get(NPZ_ENV, "") or f"cache:{default_cache_dir()}"
    source = (key, os.environ.get(MIRRORS_ENV, ""))
    slot = fc_cached.data_slot()
    with slot["lock"]:
        if slot["data"] is not None and slot["key"] == key:
            return slot["data"]
        failed = slot["failed"]
        if failed is not None and failed[0] == source and time.monotonic() - failed[1] < RETRY_DOWNLOAD_AFTER_S:
            _unavailable(failed[2], offline=False)
            st.button("Try the download again", on_click=_retry_download, icon=":material/refresh:", key="retry_data")
            return None
        bar = st.progress(0.0, text="Looking for Fashion-MNIST…") if cache_status() == "missing" else None
        try:
            data = load_fashion_mnist(progress=(lambda msg, f: bar.progress(f, text=msg)) if bar else None,
                                      timeout=20.0, retries=2)  # fmt: skip
        except (DownloadError, OSError, ValueError) as exc:
            if bar is not None:
                bar.empty()
            message = without_paths(str(exc))
            if isinstance(exc, DownloadError):
                slot["failed"] = (source, time.monotonic(), message)
            _unavailable(message, offline=not isinstance(exc, DownloadError))
            return None
        if bar is not None:
            bar.empty()
        slot.update(key=key, data=data, failed=None)
        return data


st.header("1. The data")
data = load_data()
if data is not None:
    st.caption(f":material/check_circle: {data.describe()}.")
    gallery = sample_gallery(data, per_class=1, seed=0)
    cols = st.columns(10)
    for col, (image, label) in zip(cols, gallery):
        col.image(image, caption=CLASS_NAMES[label], width="stretch")

# --- 2. model --------------------------------------------------------------------------------
st.header("2. The model")
config, problem = model_builder()
if problem:
    st.error(f"{problem} — fix it to see the model and train it.")
elif data is not None and config.split == "official" and data.n_official_train is None:
    st.warning(f"The official 60,000/10,000 split needs Zalando's own files; this {data.origin} has no train/test "
               "membership. Training uses the stratified split until you switch it back.")  # fmt: skip
    config = config.replace(split="stratified")


if config is not None:
    st.subheader("Model summary")
    summary_view(fc_cached.model_summary(config))
    n_train = int(0.75 * (1 - config.val_fraction) * (len(data.labels) if data is not None else 70_000))
    n_train = min(n_train, config.train_limit) if config.train_limit else n_train
    st.vega_lite_chart(fc_cached.lr_preview(config, n_train, theme.current_scale()), width="stretch")

# --- 3. train --------------------------------------------------------------------------------
st.header("3. Train")


def _session_dir() -> Path:
    if "fm_tmp" not in ss:  # removed with the session (TemporaryDirectory cleans up when collected)
        ss["fm_tmp"] = tempfile.TemporaryDirectory(prefix="fashion-runs-")
    return Path(ss["fm_tmp"].name)


def _collect(job: TrainingJob) -> None:
    """Turn a finished job into a RunRecord in the session's history (once)."""
    ss["fm_collected"] = True
    run = job.result
    if job.state != "done" or run is None:
        return  # the live panel says why
    k = ss["fm_count"] = ss.get("fm_count", 0) + 1
    folder = Path(run.folder) if run.folder else None
    ss["fm_runs"].append(RunRecord(f"#{k} {job.label}", run.config, run.status, run.message, run.history,
                                   job.snapshot().batches, run.metrics, run.best_epoch, run.restored_epoch,
                                   run.val_confusions, run.mistakes[:12], folder))  # fmt: skip
    ss["fm_runs"] = ss["fm_runs"][-12:]


def _start(config) -> None:
    """Train ``config`` in a worker process; it loads the data itself (from the file this page loaded)."""
    old = ss.get("fm_job")
    if old is not None and old.active:
        old.stop()
    started = ss["fm_started"] = ss.get("fm_started", 0) + 1
    ss["fm_job"] = start_training(config, label=run_label(config, ss.get("preset", "lecture")),
                                  data_path=os.environ.get(NPZ_ENV, ""), save_to=str(_session_dir() / f"run{started}"))  # fmt: skip
    ss["fm_collected"] = False


runs_with_weights = {r.name: r for r in ss["fm_runs"] if r.folder is not None}
c1, c2 = st.columns([1, 2])
start_from = c1.selectbox("Start from the weights of", ["(fresh weights)", *runs_with_weights], key="transfer",
                          help="transfer learning: continue from a finished run of this session")  # fmt: skip
if config is not None and start_from in runs_with_weights:
    fit_state("freeze", (0, len(config.hidden)))  # the range follows the model: a held 2 clamps when it has 1 layer
    freeze = c2.slider("Freeze the first hidden layers", 0, len(config.hidden), 0, key="freeze")
    config = config.replace(init_from=str(runs_with_weights[start_from].folder), freeze=freeze)
    try:
        check_transfer(config)
    except (ValueError, OSError) as exc:
        st.error(f"{without_paths(str(exc))} — pick other weights or change the model.")
        config = None
if st.button("Train", type="primary", disabled=config is None or data is None, key="train"):
    _start(config)
job = ss.get("fm_job")
if job is not None and not job.active and not ss.get("fm_collected", True):
    _collect(job)


def live_panel() -> None:
    """Progress, ETA, Stop and the live curves; polled while the job runs (also keeps it alive)."""
    job = ss.get("fm_job")
    if job is None:
        st.info("Press **Train** to train the model above. It trains in the background: the page stays responsive.")
        return
    job.heartbeat()
    log = job.snapshot()  # reads the worker's latest messages
    if job.state == "waiting":
        st.warning(f"Waiting for a free training slot: {LIMITER.running} of {LIMITER.capacity} trainings are running "
                   f"on this server; you are number {job.queue_position() or 1} in line. Training starts by itself.",
                   icon=":material/hourglass_top:")  # fmt: skip
    elif job.state == "starting":
        st.info("Starting the training process (loading PyTorch and the data, a few seconds)…",
                icon=":material/hourglass_top:")  # fmt: skip
    elif job.state == "running":
        fraction, eta = job.progress()
        text = f"Training {job.label}: {fraction:.0%}" + (f" · about {eta:.0f} s left" if eta is not None else "")
        st.progress(fraction, text=text)
    if job.active:
        st.button("Leave the line" if job.state == "waiting" else "Stop", on_click=job.stop, key="stop",
                  help="stops after the current batch")
    if log.start is not None:
        st.caption(f"{log.start.device} · {log.start.n_train:,} training / {log.start.n_val:,} validation images · "
                   f"{log.start.steps_per_epoch} batches per epoch" + (f" · {log.start.note}" if log.start.note else ""))  # fmt: skip
    if log.batches["epoch"]:
        best = log.epochs[-1]["best_epoch"] if log.epochs else None
        es = job.meta.early_stopping
        st.vega_lite_chart(fc.training_curves(log.batches, log.epochs, n_epochs=job.meta.epochs,
                                              best_epoch=best if es else None,
                                              patience=job.meta.patience if es and best else None,
                                              restored_epoch=log.end.restored_epoch if log.end else None),
                           width="stretch")  # fmt: skip
    if job.state == "error":
        st.error(f"Training failed: {without_paths(job.error or '')}")
    elif job.state == "cancelled":
        st.caption(job.notice)
    elif log.end is not None:
        st.caption(f"**{log.end.status}** — {log.end.message}")
    if not job.active and not ss.get("fm_collected", True):
        st.rerun(scope="app")  # the run ended: redraw the whole page with its results


st.fragment(live_panel, run_every=0.75 if job is not None and job.active else None)()

# --- 4. results, history, replay -------------------------------------------------------------
runs = ss["fm_runs"]
if runs:
    st.header("4. Results")
    names = [r.name for r in runs]
    shown = st.selectbox("Results of", names[::-1], key="results_of")
    results_view(runs[names.index(shown)])
    st.header("5. Runs of this session")
    history_view(runs)

st.header("Replay saved runs")
st.markdown("Scrub through runs trained before the lecture (no waiting for the CPU): every epoch's curves, scores "
            "and validation confusion matrix are stored with the run. The lecture's runs ship with the app.")  # fmt: skip
replay_view(data.images if data is not None else None)
