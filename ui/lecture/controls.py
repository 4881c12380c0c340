"""A scene's controls: at most three URL-bound widgets in a row, each optionally mirrored to its full page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ui.urlstate import bound

MAX_CONTROLS = 3


def query_strings(value: Any) -> list[str]:
    """A widget value as the strings a page's query parameter holds (lists repeat, booleans as true/false)."""
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in query_strings(v)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [f"{value:g}" if isinstance(value, float) else str(value)]


class Controls:
    """Draws a scene's widgets into up to three columns; keys get the scene's prefix so scenes never share state."""

    def __init__(self, scene_id: str, columns: Sequence[Any]) -> None:
        self.scene_id = scene_id
        self.columns = list(columns)
        self.used = 0
        self.page_params: dict[str, list[str]] = {}  # what the full page needs to show the same view

    def key(self, name: str) -> str:
        """The widget key (and query parameter) of control ``name`` in this scene."""
        return f"{self.scene_id}-{name}"

    def _next_column(self) -> Any:
        if self.used >= min(MAX_CONTROLS, len(self.columns)):
            raise RuntimeError(f"scene {self.scene_id!r} asks for more than {MAX_CONTROLS} controls")
        self.used += 1
        return self.columns[self.used - 1]

    def add(self, widget: str, label: str, *args: Any, key: str, page_key: str | None = None, **kwargs: Any) -> Any:
        """``bound(column.<widget>, label, ...)``; ``page_key`` names the full page's parameter for the same value."""
        column = self._next_column()
        value = bound(getattr(column, widget), label, *args, key=self.key(key), **kwargs)
        if page_key is not None and value is not None:
            self.page_params[page_key] = query_strings(value)
        return value

    def page(self, **params: Any) -> None:
        """Fixed parameters the full page needs for this scene's view (e.g. which optimizers race)."""
        for key, value in params.items():
            self.page_params[key] = query_strings(value)

    def slider(self, label: str, *args: Any, key: str, page_key: str | None = None, **kwargs: Any) -> Any:
        return self.add("slider", label, *args, key=key, page_key=page_key, **kwargs)

    def select_slider(self, label: str, options: Sequence[Any], *, key: str, page_key: str | None = None,
                      **kwargs: Any) -> Any:
        return self.add("select_slider", label, list(options), key=key, page_key=page_key, **kwargs)

    def selectbox(self, label: str, options: Sequence[Any], *, key: str, page_key: str | None = None,
                  **kwargs: Any) -> Any:
        return self.add("selectbox", label, list(options), key=key, page_key=page_key, **kwargs)

    def radio(self, label: str, options: Sequence[Any], *, key: str, page_key: str | None = None, **kwargs: Any) -> Any:
        return self.add("radio", label, list(options), key=key, page_key=page_key, horizontal=True, **kwargs)

    def toggle(self, label: str, value: bool, *, key: str, page_key: str | None = None) -> Any:
        return self.add("toggle", label, value, key=key, page_key=page_key)



class DefaultControls(Controls):
    """Draws nothing and answers every control with its default: a scene's default view outside a page run
    (warming the caches, tests, benches)."""

    def __init__(self, scene_id: str) -> None:
        super().__init__(scene_id, [None] * MAX_CONTROLS)

    def add(self, widget: str, label: str, *args: Any, key: str, page_key: str | None = None, **kwargs: Any) -> Any:
        self._next_column()
        if widget == "slider":
            value = args[2]
        elif widget == "select_slider":
            value = kwargs.get("value", args[0][0])
        elif widget in ("selectbox", "radio"):
            value = list(args[0])[kwargs.get("index", 0)]
        else:  # toggle
            value = args[0]
        if page_key is not None:
            self.page_params[page_key] = query_strings(value)
        return value


Draw = Callable[[Controls], Any]
