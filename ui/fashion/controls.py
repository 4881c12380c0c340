"""The Fashion-MNIST model builder: a preset picker plus one URL-bound control per config field."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.engine.activations import ACTIVATIONS
from core.engine.schedules import SCHEDULES
from core.trainer.config import (
    ACTIVATION_NAMES, DEVICES, INIT_NAMES, MONITORS, OPTIMIZER_NAMES, PRECISIONS, PRESETS, SPLITS, TrainConfig,
)  # fmt: skip
from ui.urlstate import bound, set_from_code

LRS = [1e-5, 3e-5, 1e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]
L1S = [0.0, 1e-6, 1e-5, 3e-5, 1e-4, 1e-3]
L2S = [0.0, 1e-5, 1e-4, 3e-4, 1e-3, 1e-2, 3e-2, 0.1]
SMOOTHING = [0.0, 0.01, 0.05, 0.1, 0.2]
BATCHES = [8, 16, 32, 64, 128, 256, 512, 1024]
SUBSETS = [500, 1000, 2000, 5000, 10000, 20000, 0]  # 0 = every training image
VAL_SHARES = [0.0, 0.05, 0.1, 0.2, 0.3]
BUDGETS = [0, 30, 60, 120, 150, 300, 600]  # seconds; 0 = no limit
NAMES = {"cpu": "CPU", "cuda": "CUDA GPU", "mps": "Apple GPU (MPS)"}


def _fmt(v: float) -> str:
    return f"{v:g}"


def _subset(v: int) -> str:
    return "all" if v == 0 else f"{v:,}"


def _budget(v: int) -> str:
    return "none" if v == 0 else f"{v} s"


def _share(v: float) -> str:
    return f"{v:.0%}"


def _csv(values: tuple) -> str:
    return ", ".join(f"{v:g}" for v in values)


def preset_values(config: TrainConfig) -> dict[str, Any]:
    """Widget key → value showing ``config`` in the builder."""
    return {
        "hidden": _csv(config.hidden), "act": config.activation, "bn": config.batch_norm,
        "dropout": _csv(config.dropout) if config.dropout else "0", "init": config.init,
        "ls": config.label_smoothing, "opt": config.optimizer, "lr": config.lr, "sched": config.schedule,
        "l1": config.l1, "l2": config.l2, "bs": config.batch_size, "epochs": config.epochs,
        "es": config.early_stopping, "monitor": config.monitor, "patience": config.patience,
        "restore": config.restore_best, "budget": int(config.max_seconds),
    }  # fmt: skip


def apply_preset() -> None:
    """Callback of the preset picker: write the preset's values into every control (and the URL)."""
    for key, value in preset_values(PRESETS[st.session_state["preset"]]).items():
        set_from_code(key, value)


def parse_list(text: str, cast: type, what: str) -> tuple:
    """'512, 512' → (512, 512); ValueError with a readable message."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        return tuple(cast(p) for p in parts)
    except ValueError:
        raise ValueError(f"{what}: write numbers separated by commas, e.g. `512, 512` (got `{text}`)") from None


def missing_device_notice() -> str | None:
    """A link asking for a device this server lacks: switch the Device control to the CPU and say why (else None)."""
    from core.trainer.models import available_devices  # torch: imported when the builder is drawn

    asked = st.query_params.get("device")
    if asked in DEVICES and asked not in ("auto", *available_devices()) and st.session_state.get("device") != "cpu":
        set_from_code("device", "cpu")
        return f"The link asks for device `{asked}`, but this server has no {NAMES[asked]}: training uses the CPU."
    return None


def device_picker(column: Any) -> str:
    """Device select offering only the devices torch sees here."""
    from core.trainer.models import available_devices

    here = available_devices()
    return bound(column.selectbox, "Device", ["auto", *here], key="device",
                 help=f"this server has: {', '.join(NAMES[d] for d in here)}; auto picks the first GPU, else the CPU")


def model_builder() -> tuple[TrainConfig | None, str | None]:
    """Draw the builder; returns (config, None) or (None, error message) for an invalid combination."""
    name = bound(st.selectbox, "Preset", list(PRESETS), key="preset", on_change=apply_preset,
                 help="lecture: the lecture's 784-512-512-10 · small: the capacity slide's 256-32 · regularized: "
                      "the lecture's BatchNorm + Dropout(0.5) 'New model' · best: our best MLP recipe")  # fmt: skip
    d = preset_values(PRESETS[name])
    c1, c2, c3, c4 = st.columns(4)
    hidden = bound(c1.text_input, "Hidden layer widths", key="hidden", value=d["hidden"],
                   help="0–5 layers of 8–1024 units, e.g. `512, 512`; empty = no hidden layer")
    act = bound(c2.selectbox, "Activation", list(ACTIVATION_NAMES), key="act", index=ACTIVATION_NAMES.index(d["act"]))
    dropout = bound(c3.text_input, "Dropout rate(s)", key="dropout", value=d["dropout"],
                    help="one rate for every hidden layer, or one per layer (e.g. `0.2, 0.1`)")
    bn = bound(c4.toggle, "Batch normalization", key="bn", value=d["bn"])
    c1, c2, c3, c4 = st.columns(4)
    init = bound(c1.selectbox, "Initializer", list(INIT_NAMES), key="init", index=INIT_NAMES.index(d["init"]),
                 help="torch_default is nn.Linear's own initialization (what the lecture used)")
    opt = bound(c2.selectbox, "Optimizer", list(OPTIMIZER_NAMES), key="opt", index=OPTIMIZER_NAMES.index(d["opt"]))
    lr = bound(c3.select_slider, "Learning rate η", LRS, key="lr", value=d["lr"], format_func=_fmt)
    sched_names = list(SCHEDULES)
    sched = bound(c4.selectbox, "LR schedule", sched_names, key="sched", index=sched_names.index(d["sched"]),
                  help="η changes every optimizer step; the lengths fit the run (e.g. cosine cycles of 2, 4, 8 and 16 "
                       "epochs in a 30-epoch run, the last one ending with it)")
    c1, c2, c3, c4 = st.columns(4)
    ls = bound(c1.select_slider, "Label smoothing ε", SMOOTHING, key="ls", value=d["ls"], format_func=_fmt)
    l1 = bound(c2.select_slider, "L1 λ₁", L1S, key="l1", value=d["l1"], format_func=_fmt,
               help="adds λ₁·Σ|w| to the loss: pushes many weights to exactly 0")
    l2 = bound(c3.select_slider, "L2 λ (weight decay)", L2S, key="l2", value=d["l2"], format_func=_fmt,
               help="the optimizer's weight_decay: the same gradient as adding (λ/2)·Σw² to the loss")
    bs = bound(c4.select_slider, "Batch size", BATCHES, key="bs", value=d["bs"])
    c1, c2, c3, c4, c5 = st.columns(5)
    epochs = bound(c1.slider, "Epochs", 1, 50, d["epochs"], key="epochs")
    es = bound(c2.toggle, "Early stopping", key="es", value=d["es"],
               help="stop when the monitored validation score has not improved for `patience` epochs")
    monitor = bound(c3.selectbox, "Monitor", list(MONITORS), key="monitor", disabled=not es)
    patience = bound(c4.slider, "Patience (epochs)", 1, 10, 3, key="patience", disabled=not es)
    restore = bound(c5.toggle, "Restore best", key="restore", value=d["restore"], disabled=not es,
                    help="at the end, go back to the weights of the best epoch (marked on the curves)")
    notice = missing_device_notice()
    if notice:
        st.warning(notice, icon=":material/link_off:")
    with st.expander("Data and device"):
        c1, c2, c3, c4 = st.columns(4)
        scale = bound(c1.toggle, "Scale inputs to [0, 1]", key="scale", value=True,
                      help="off = raw pixel values 0–255, as in the lecture's code: a first-epoch loss of several "
                           "units (the lecture printed 2.35) instead of about 0.6")
        split = bound(c1.selectbox, "Train/test split", list(SPLITS), key="split",
                      help="stratified: the lecture's seeded 75/25 split of all 70,000 images · official: Zalando's "
                           "60,000/10,000 files (only with the downloaded official files)")
        subset = bound(c2.select_slider, "Training images", SUBSETS, key="subset", value=0, format_func=_subset,
                       help="a stratified subset of the training split, for quick demos")
        val = bound(c2.select_slider, "Validation share", VAL_SHARES, key="val", value=0.1, format_func=_share,
                    help="held out of the training part to watch overfitting (and for early stopping)")
        seed = bound(c3.number_input, "Seed", min_value=0, max_value=10_000, value=0, step=1, key="seed",
                     help="the split, the initial weights, dropout and the shuffling")
        budget = bound(c3.select_slider, "Time budget", BUDGETS, key="budget", value=d["budget"], format_func=_budget,
                       help="no epoch starts that would end past it")
        device = device_picker(c4)
        precision = bound(c4.selectbox, "Precision", list(PRECISIONS), key="prec",
                          help="bf16 autocast is used on CUDA GPUs only")  # fmt: skip
    st.caption(f"Activation: ${ACTIVATIONS[act].latex}$" if act in ACTIVATIONS else "")
    try:
        config = TrainConfig(
            hidden=parse_list(hidden, int, "Hidden layer widths"),
            activation=act, batch_norm=bn, dropout=parse_list(dropout, float, "Dropout"), init=init,
            label_smoothing=ls, optimizer=opt, lr=lr, schedule=sched, l1=l1, l2=l2, batch_size=bs, epochs=epochs,
            early_stopping=es, monitor=monitor, patience=patience, restore_best=restore, seed=int(seed),
            device=device, precision=precision, max_seconds=float(budget), scale_inputs=scale, split=split,
            val_fraction=val, train_limit=subset,
        )  # fmt: skip
    except ValueError as exc:
        return None, str(exc)
    if all(p == 0 for p in config.dropout):
        config = config.replace(dropout=())
    return config, None


LABELLED = {  # config field → how a run's name shows a change from its preset
    "hidden": lambda v: "hidden " + ("-".join(map(str, v)) or "none"), "activation": str,
    "batch_norm": lambda v: "batch norm" if v else "no batch norm",
    "dropout": lambda v: "dropout " + (_csv(v) or "0"), "init": str, "label_smoothing": lambda v: f"ε {v:g}",
    "optimizer": str, "lr": lambda v: f"η {v:g}", "schedule": str, "l1": lambda v: f"L1 {v:g}",
    "l2": lambda v: f"L2 {v:g}", "batch_size": lambda v: f"batch {v}", "epochs": lambda v: f"{v} epochs",
    "early_stopping": lambda v: "early stopping" if v else "no early stopping",
    "scale_inputs": lambda v: "scaled" if v else "unscaled", "train_limit": lambda v: f"{v:,} images" if v else "all images",
    "seed": lambda v: f"seed {v}", "freeze": lambda v: f"{v} frozen",
}  # fmt: skip


def run_label(config: TrainConfig, preset_name: str, most: int = 3) -> str:
    """The preset's name plus what differs from it, e.g. 'lecture · dropout 0.5 · 3 epochs'."""
    base = PRESETS.get(preset_name, PRESETS["lecture"])
    changes = [show(getattr(config, f)) for f, show in LABELLED.items() if getattr(config, f) != getattr(base, f)]
    if config.init_from:
        changes.insert(0, "transfer")
    extra = " …" if len(changes) > most else ""
    return " · ".join([preset_name, *changes[:most]]) + extra
