"""A Streamlit client at protocol level: one browser tab's websocket, without a browser.

Speaks what Streamlit's frontend speaks on ``/_stcore/stream``: binary ``BackMsg`` protobufs up
(``rerun_script`` = ``ClientState``), binary ``ForwardMsg`` protobufs down, a run ends at ``script_finished``.
Like the frontend it tracks the page's script hash and query string, resends every widget value it has set,
reports the hashes of cached messages it holds (the server then sends ``ref_hash`` stubs) and follows
``auto_rerun`` (fragments with ``run_every``). Used by bench/load.py and tests/deploy/.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

import numpy as np
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

FINISHED_EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
FINISHED_BAD = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
FINISHED_FRAGMENT = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
KINDS = ("slider", "selectbox", "button")  # the element types this client can drive


class RunTimeout(Exception):
    """A script run did not reach script_finished in time."""


@dataclass
class Widget:
    """One widget of the last run: what is needed to give it a new value (a slider, select slider, select box, button)."""

    id: str
    kind: str  # "slider" | "select_slider" | "selectbox" | "button"
    label: str
    fragment_id: str = ""
    form_id: str = ""
    disabled: bool = False
    lo: float = 0.0
    hi: float = 0.0
    step: float = 1.0
    is_int: bool = False
    width: int = 1  # 2 for a range slider
    options: list[str] = field(default_factory=list)
    param: str = ""  # the query parameter of a widget bound with bind="query-params"

    @property
    def movable(self) -> bool:
        """A widget whose change reruns the script at once (not a button, not in a form, enabled, with a choice)."""
        if self.kind == "button" or self.form_id or self.disabled:
            return False
        return len(self.options) > 1 if self.kind in ("select_slider", "selectbox") else self.hi > self.lo

    def random_state(self, rng: np.random.Generator) -> WidgetState:
        """A value drawn uniformly from the widget's grid (slider steps or options), as the frontend would send it."""
        state = WidgetState(id=self.id)
        if self.kind == "slider":
            n = int(round((self.hi - self.lo) / self.step)) if self.step > 0 else 100
            ks = np.sort(rng.integers(0, n + 1, size=self.width))
            values = [min(self.hi, self.lo + int(k) * self.step) for k in ks]
            state.double_array_value.data.extend([float(round(v)) if self.is_int else round(float(v), 12) for v in values])
        elif self.kind == "select_slider":
            ks = np.sort(rng.integers(0, len(self.options), size=self.width))
            state.string_array_value.data.extend([self.options[int(k)] for k in ks])
        elif self.kind == "selectbox":
            state.string_value = self.options[int(rng.integers(0, len(self.options)))]
        else:
            state.trigger_value = True
        return state


def widget_of(element: Any, fragment_id: str) -> Widget | None:
    """The Widget an Element proto describes, or None for elements this client doesn't drive."""
    kind = element.WhichOneof("type")
    if kind not in KINDS:
        return None
    p = getattr(element, kind)
    w = Widget(id=p.id, kind=kind, label=p.label, fragment_id=fragment_id, form_id=p.form_id, disabled=p.disabled,
               param=getattr(p, "query_param_key", ""))
    if kind == "slider":
        if p.type == Slider.SELECT_SLIDER:
            w.kind, w.options = "select_slider", list(p.options)
        elif p.data_type not in (Slider.INT, Slider.FLOAT):
            return None  # date/time sliders: not needed by this app
        w.lo, w.hi, w.step, w.is_int = p.min, p.max, p.step, p.data_type == Slider.INT
        w.width = max(1, len(p.default))
    elif kind == "selectbox":
        w.options = list(p.options)
    return w


def query_values(state: WidgetState) -> list[str]:
    """A widget value as the frontend writes it into the address (numbers without a trailing .0)."""
    kind = state.WhichOneof("value")
    if kind == "double_array_value":
        return [str(int(v)) if float(v).is_integer() else str(v) for v in state.double_array_value.data]
    if kind == "string_array_value":
        return list(state.string_array_value.data)
    return [str(getattr(state, kind))]


def http_get(url: str, cookie: str | None = None, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    """GET a URL: (status, headers with lower-case names, body); Set-Cookie headers are joined by '\\n'."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        headers: dict[str, str] = {}
        for name, value in response.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]}\n{value}" if name in headers else value
        return response.status, headers, response.read()


class Session:
    """One tab: ``await open()`` loads the page, ``await rerun([...])`` changes widgets and waits for the run."""

    def __init__(self, base_url: str, page: str = "", cookie: str | None = None, timeout: float = 60.0, query: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.page = page.strip("/")  # the URL path ("" for home)
        self.cookie = cookie
        self.timeout = timeout
        self.page_hash = ""
        self.query_string = query  # the address's query string (a shared link's settings)
        self.html_upstream: str | None = None  # X-Upstream of the page's HTML (behind deploy/nginx.conf)
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, WidgetState] = {}  # every value this tab has set, resent with each rerun
        self.errors: list[str] = []
        self.upstream: str | None = None  # X-Upstream of the websocket handshake (behind deploy/nginx.conf)
        self.handshake_cookies: list[str] = []
        self.messages = 0
        self._cache: dict[str, ForwardMsg] = {}  # hash -> cacheable message, like the browser's message cache
        self._finished = {False: 0, True: 0}  # finished runs: whole script (False), a fragment alone (True)
        self._status = -1
        self._changed = asyncio.Condition()
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._auto: dict[str, asyncio.Task] = {}

    async def open(self, load_html: bool = False) -> float:
        """Connect and run the page once (as a fresh tab does); returns seconds from connecting to script_finished.

        With ``load_html`` the tab first GETs the page's HTML and keeps the cookie it sets (as a browser does
        behind a sticky load balancer); that request is not timed."""
        if load_html:
            _, headers, _ = await asyncio.to_thread(http_get, f"{self.base_url}/{self.page}", self.cookie, self.timeout)
            self.html_upstream = headers.get("x-upstream")
            if self.cookie is None and "set-cookie" in headers:
                self.cookie = "; ".join(c.split(";")[0] for c in headers["set-cookie"].split("\n"))
        url = urlparse(self.base_url)
        ws_url = f"{'wss' if url.scheme == 'https' else 'ws'}://{url.netloc}{url.path}/_stcore/stream"
        t0 = time.perf_counter()
        self._ws = await connect(ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None,
                                 open_timeout=self.timeout, additional_headers={"Cookie": self.cookie} if self.cookie else None)  # fmt: skip
        self.upstream = self._ws.response.headers.get("X-Upstream")
        self.handshake_cookies = self._ws.response.headers.get_all("Set-Cookie")  # behind nginx: none when the tab's cookie came along
        self._reader = asyncio.create_task(self._read())
        await self._run(page_name=self.page)
        return time.perf_counter() - t0

    async def rerun(self, states: list[WidgetState], fragment_id: str = "") -> float:
        """Send new widget values (non-trigger ones are kept for later reruns); seconds until script_finished."""
        for s in states:
            if s.WhichOneof("value") != "trigger_value":
                self.states[s.id] = s
                widget = self.widgets.get(s.id)
                if widget is not None and widget.param:  # bind="query-params": the frontend updates the address
                    pairs = [(k, v) for k, v in parse_qsl(self.query_string, keep_blank_values=True) if k != widget.param]
                    self.query_string = urlencode(pairs + [(widget.param, v) for v in query_values(s)])
        t0 = time.perf_counter()
        await self._run(extra=[s for s in states if s.WhichOneof("value") == "trigger_value"], fragment_id=fragment_id)
        return time.perf_counter() - t0

    async def move(self, widget: Widget, rng: np.random.Generator) -> float:
        """Give the widget a new random value (different from the one it has, where it has more than one)."""
        state = widget.random_state(rng)
        for _ in range(20):
            if self.states.get(widget.id) != state:
                break
            state = widget.random_state(rng)
        return await self.rerun([state], fragment_id=widget.fragment_id)

    @property
    def polling(self) -> bool:
        """Whether a fragment of the page reruns itself (st.fragment(run_every=...)), e.g. a training's live panel."""
        return any(not t.done() for t in self._auto.values())

    def find(self, kind: str | None = None, label: str | None = None, movable: bool = True) -> Widget | None:
        """The first widget of the last run of that kind (or any drivable one) whose label contains ``label``."""
        for w in self.widgets.values():
            kinds = ("slider", "select_slider", "selectbox") if kind is None else (kind,)
            if w.kind in kinds and (label is None or label.lower() in w.label.lower()) and (w.movable or not movable):
                return w
        return None

    async def close(self) -> None:
        """Close the websocket (the server ends the session as for a closed tab)."""
        for task in self._auto.values():
            task.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _run(self, page_name: str = "", extra: list[WidgetState] = (), fragment_id: str = "", auto: bool = False) -> None:
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query_string
        client.page_script_hash = self.page_hash
        client.page_name = page_name
        client.fragment_id = fragment_id
        client.is_auto_rerun = auto
        client.widget_states.widgets.extend([*self.states.values(), *extra])
        client.cached_message_hashes.extend(self._cache)
        async with self._changed:
            if self._ws is None:
                raise ConnectionError(self.errors[-1] if self.errors else "websocket closed")
            part = bool(fragment_id)  # an auto-rerun of a fragment never ends the wait for a whole run
            before = self._finished[part]
            await self._ws.send(msg.SerializeToString())
            if auto:
                return
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self._finished[part] > before or self._ws is None), self.timeout)
            except TimeoutError:
                raise RunTimeout(f"no script_finished within {self.timeout:.0f} s") from None
        if self._ws is None:
            raise ConnectionError(self.errors[-1] if self.errors else "websocket closed")
        if self._status == FINISHED_BAD:
            raise RuntimeError("script compile error")

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self.messages += 1
                await self._handle(msg)
        except Exception as e:  # noqa: BLE001 - a dropped connection is an error of this session, not of the bench
            self.errors.append(f"websocket: {type(e).__name__}: {e}")
        if not any("websocket" in e for e in self.errors) and self._ws.close_code not in (1000, None):
            self.errors.append(f"websocket closed: {self._ws.close_code} {self._ws.close_reason}")
        async with self._changed:
            self._ws = None
            self._changed.notify_all()

    async def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            if msg.ref_hash not in self._cache:
                self.errors.append(f"ref_hash to a message this tab never got: {msg.ref_hash}")
                return
            msg, kind = self._cache[msg.ref_hash], "delta"
        elif msg.metadata.cacheable:
            self._cache[msg.hash] = msg
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception":
                self.errors.append(f"exception on the page: {element.exception.type}: {element.exception.message[:200]}")
            w = widget_of(element, msg.delta.fragment_id)
            if w is not None:
                self.widgets[w.id] = w
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {msg.page_not_found.page_name}")
        elif kind == "auto_rerun":
            self._schedule(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for task in self._auto.values():
                task.cancel()
            self._auto.clear()
        elif kind == "script_finished":
            async with self._changed:
                if msg.script_finished != FINISHED_EARLY:
                    self._status = msg.script_finished
                    self._finished[msg.script_finished == FINISHED_FRAGMENT] += 1
                    self._changed.notify_all()

    def _schedule(self, fragment_id: str, interval: float) -> None:
        """Rerun the fragment every ``interval`` s, like the frontend's timer for ``st.fragment(run_every=...)``."""
        if fragment_id in self._auto:
            self._auto[fragment_id].cancel()

        async def tick() -> None:
            while self._ws is not None:
                await asyncio.sleep(interval)
                if self._ws is not None:
                    await self._run(fragment_id=fragment_id, auto=True)

        self._auto[fragment_id] = asyncio.create_task(tick())
