"""What a scene hands to the presenter: one figure (a Vega-Lite spec or a Graphviz diagram) and its title."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One live figure: ``vega`` (a Vega-Lite spec) or ``dot`` (Graphviz source), its title, a note, an answer."""

    title: str
    vega: dict[str, Any] | None = field(default=None, hash=False, compare=False)
    dot: str | None = None
    note: str = ""
    answer: str | None = None  # for a scene that asks the audience: the choice the live result bears out

    def __post_init__(self) -> None:
        if (self.vega is None) == (self.dot is None):
            raise ValueError("a figure is either a Vega-Lite spec or a Graphviz diagram")

    @property
    def family(self) -> str:
        """'chart' (Vega-Lite) or 'diagram' (Graphviz): the two ways a figure is drawn."""
        return "chart" if self.vega is not None else "diagram"
