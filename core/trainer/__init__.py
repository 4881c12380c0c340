"""The PyTorch trainer for Fashion-MNIST (imports torch: only the Fashion-MNIST page and the CLI load it).

``python -m core.trainer --help`` runs the command-line interface.
"""

from core.trainer.config import PRESETS, TrainConfig, preset
from core.trainer.evaluation import Evaluation, evaluate
from core.trainer.events import BatchEvent, EndEvent, EpochEvent, Event, StartEvent
from core.trainer.experiment import run_experiment, splits_for
from core.trainer.loop import TrainResult, train
from core.trainer.models import ModelSummary, build_model, select_device, summarize
from core.trainer.runs import SavedRun, list_runs, load_model, load_run, save_run

__all__ = [
    "PRESETS", "TrainConfig", "preset", "Evaluation", "evaluate", "BatchEvent", "EndEvent", "EpochEvent", "Event",
    "StartEvent", "run_experiment", "splits_for", "TrainResult", "train", "ModelSummary", "build_model",
    "select_device", "summarize", "SavedRun", "list_runs", "load_model", "load_run", "save_run",
]  # fmt: skip
