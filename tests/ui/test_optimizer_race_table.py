"""The optimizer race cut from its horizon (ui/optimizers/race_table.py) equals the race run for that many steps.

The oracle is what the page drew before the cut existed: ``race(..., steps)`` turned into pandas tables, the chart
rows without NaN, ``coincident_runs`` on them, the heads by ``groupby(...).idxmax()``.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from core.engine.surfaces import get_surface
from core.lessons.optimizers.presets import PRESETS
from core.lessons.optimizers.trajectories import RunSpec, race
from ui.optimizers import charts as oc
from ui.optimizers.race_table import RaceTable


def _frame(data: bytes) -> pd.DataFrame:
    return pa.ipc.open_stream(data).read_all().to_pandas()


def _oracle(surface, specs, start, steps, precision):
    """The race for ``steps`` steps as the page built it from a race of exactly that length."""
    trajs = race(surface, specs, start, steps, precision)
    labels = [t.legend for t in trajs]
    frames = [pd.DataFrame({"run": lab, "step": np.arange(steps + 1), "x": t.points[:, 0], "y": t.points[:, 1],
                            "loss": t.loss, "lr": np.append(t.lrs, np.nan)}).dropna(subset=["x", "y", "loss"])
              for t, lab in zip(trajs, labels)]
    paths = pd.concat(frames, ignore_index=True)
    paths["loss_plot"] = np.maximum(paths["loss"] - surface.min_value, oc.LOSS_FLOOR)
    calm = paths["step"].eq(0) | paths["run"].isin([lab for t, lab in zip(trajs, labels) if t.diverged_at is None])
    domain = oc.log_domain(paths["loss_plot"], top=100 * float(paths.loc[calm, "loss_plot"].max()))
    same = {y: oc.coincident_runs(paths[["run", "step", y]].dropna(), y, labels) for y in ("loss_plot", "lr")}
    return trajs, labels, paths, domain, same


def _races():
    for name, p in PRESETS.items():
        yield pytest.param(get_surface(p.surface, p.condition), p.specs(), p.start, p.precision, id=name)
    twins = [RunSpec.make("sgd", "sgd", lr=0.001), RunSpec.make("sgd_decay", "sgd", lr=0.001),  # the same curves
             RunSpec.make("momentum", "sgd", lr=0.001, momentum=0.9), RunSpec.make("sgd_cyclic", "sgd", lr=0.05)]
    yield pytest.param(get_surface("beale"), twins, (0.8, 1.6), "float64", id="twins-and-a-divergence")


@pytest.mark.parametrize("surface, specs, start, precision", list(_races()))
@pytest.mark.parametrize("steps", [1, 7, 90, 100, 250])
def test_a_cut_of_the_horizon_race_is_the_race_of_that_length(surface, specs, start, precision, steps):
    horizon = 250
    table = RaceTable(race(surface, specs, start, horizon, precision), surface.min_value)
    cut = table.cut(steps)
    trajs, labels, paths, domain, same = _oracle(surface, specs, start, steps, precision)
    assert cut.labels == labels and cut.loss_domain == domain and cut.same == same
    assert [t.diverged_at for t in cut.trajs] == [t.diverged_at for t in trajs]
    np.testing.assert_array_equal(cut.summary["final loss"], [t.final_loss for t in trajs])
    np.testing.assert_array_equal(cut.summary["final x"], [t.points[-1, 0] for t in trajs])
    for it in sorted({0, steps // 3, steps}):
        drawn = _frame(table.paths(it, labels))
        shown = paths.loc[paths["step"] <= it, ["run", "step", "x", "y", "loss"]].reset_index(drop=True)
        pd.testing.assert_frame_equal(drawn, shown, check_dtype=False)
        heads = shown.loc[shown.groupby("run")["step"].idxmax()].sort_index().reset_index(drop=True)
        pd.testing.assert_frame_equal(_frame(table.heads(it, labels)), heads, check_dtype=False)
    for y in ("loss_plot", "lr"):
        expected = paths[["run", "step", y]].dropna().reset_index(drop=True)
        pd.testing.assert_frame_equal(_frame(table.curve(y, steps, labels)), expected, check_dtype=False)


def test_the_twins_race_has_coincident_curves_and_a_divergence():
    """The crafted race above exercises what the presets may not: identical curves and a run that stops."""
    twins = list(_races())[-1].values
    table = RaceTable(race(*twins[:3], 250, twins[3]), twins[0].min_value)
    cut = table.cut(250)
    assert cut.same["loss_plot"] == [["sgd", "sgd_decay"]] and cut.same["lr"][0][:2] == ["sgd", "sgd_decay"]
    assert cut.trajs[-1].diverged_at is not None and "diverged" in cut.labels[-1]


def test_a_cut_past_the_horizon_is_refused():
    surface = get_surface("beale")
    table = RaceTable(race(surface, [RunSpec.make("sgd", "sgd", lr=0.001)], (0.8, 1.6), 100), surface.min_value)
    with pytest.raises(ValueError, match="runs 100 steps"):
        table.cut(101)
