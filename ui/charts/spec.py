"""The one way to build a chart that must be fast: an Altair builder over named data, validated once.

Building and validating an Altair chart costs 30–60 ms, too much for pages that rerun on every slider move.
A *builder* describes a chart over ``alt.NamedData(name)`` sets, without the data. ``cached_spec(builder,
*args, data={name: frame}, **kwargs)`` turns it into a Vega-Lite dict once per set of arguments, then per
call copies it, attaches the frames (optionally renamed after their content, as Streamlit names Altair's, so
the browser sees new data as new) and applies the current chart style (``theme.style``).
Draw the result with ``st.vega_lite_chart(spec, width="stretch")``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import pandas as pd

from ui.charts import theme

Spec = dict[str, Any]


def _inline(node: Any, datasets: dict[str, Any]) -> Any:
    """``node`` with references to the template's own (constant) data sets replaced by their values."""
    if isinstance(node, dict):
        if set(node) == {"name"} and node["name"] in datasets:
            return {"values": datasets[node["name"]]}
        return {k: _inline(v, datasets) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, datasets) for v in node]
    return node


@lru_cache(maxsize=256)
def _template(builder: Callable[..., Any], args: tuple, kwargs: tuple) -> str:
    spec = builder(*args, **dict(kwargs)).to_dict()
    spec.pop("config", None)  # Altair's default theme; the style is applied per call (its scale may change)
    constant = spec.pop("datasets", {})  # inline data of the builder (legend keys, placeholders): keep it inline
    return json.dumps(_inline(spec, constant))


def data_name(name: str, frame: pd.DataFrame) -> str:
    """``name`` plus a hash of the frame's content and columns."""
    content = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes() + repr(list(frame.columns)).encode()
    return f"{name}-{hashlib.blake2b(content, digest_size=8).hexdigest()}"


def cached_spec(builder: Callable[..., Any], *args: Any, data: Mapping[str, pd.DataFrame], title: Any = None,
                name_by_content: bool = False, **kwargs: Any) -> Spec:
    """The builder's spec (validated once per arguments) with ``data`` attached and the current style; ``title``
    (a string or a Vega-Lite title dict) replaces the top-level title without a new template."""
    text = _template(builder, args, tuple(sorted(kwargs.items())))
    names = {name: data_name(name, frame) if name_by_content else name for name, frame in data.items()}
    for name, unique in names.items():
        text = text.replace(json.dumps({"name": name}), json.dumps({"name": unique}))
    spec = json.loads(text)  # a fresh copy: Streamlit consumes the dict it gets
    spec["datasets"] = {names[name]: frame for name, frame in data.items()}
    if title is not None:
        spec["title"] = title
    return theme.style(spec)
