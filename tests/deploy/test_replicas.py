"""The compose recipe's load balancing on loopback: two app replicas behind nginx with deploy/nginx.conf.template.

Cookie-less visitors spread over both replicas; a tab's HTML, its websocket and every later request stay on the
replica its st_replica cookie routes to, and its script runs there to script_finished. Protocol-level sessions
(bench/stclient.py) and one real Chromium page. Without nginx the module skips, unless REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import asyncio
import os

import numpy as np
import pytest

from bench.stclient import Session, http_get
from deploy import loopback
from tests.browser_support import IDLE, write_small_fashion_npz

pytestmark = pytest.mark.deploy
PAGE = ""  # the home page: sliders and a cheap first run
VISITORS = 24  # cookie-less first requests; all on one of two replicas by chance: 2 * 2**-24


@pytest.fixture(scope="module")
def balanced(tmp_path_factory):
    """(nginx base URL, {replica address "127.0.0.1:port"}) for two replicas of the app."""
    if loopback.nginx_binary() is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but nginx is not installed (Debian: apt-get install nginx)")
        pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("deploy")
    data = write_small_fashion_npz(tmp / "fashion-small.npz")
    with loopback.replicas(2, tmp / "logs", env={"FASHION_MNIST_NPZ": str(data)}) as servers:
        ports = [int(url.rsplit(":", 1)[1]) for url, _ in servers]
        with loopback.nginx(ports, tmp / "nginx") as base:
            yield base, {f"127.0.0.1:{p}" for p in ports}


@pytest.fixture(scope="module")
def first_visits(balanced) -> list[tuple[str, str]]:
    """(cookie, replica) of each cookie-less visitor's first response: the page's HTML, through nginx."""
    base, _ = balanced
    visits = []
    for _ in range(VISITORS):
        status, headers, body = http_get(f"{base}/{PAGE}")
        assert status == 200 and b"<html" in body.lower()
        cookie = headers["set-cookie"]
        assert "HttpOnly" in cookie and "Path=/" in cookie and "\n" not in cookie
        visits.append((cookie.split(";")[0], headers["x-upstream"]))
    return visits


def test_cookieless_visitors_spread_over_both_replicas(balanced, first_visits):
    _, addresses = balanced
    assert {replica for _, replica in first_visits} == addresses
    assert len({cookie for cookie, _ in first_visits}) == VISITORS  # every visitor gets a route of its own


def test_a_kept_cookie_always_lands_on_its_replica(balanced, first_visits):
    base, _ = balanced
    for cookie, replica in first_visits[:6]:
        for path in (PAGE, "_stcore/health", "optimizers"):
            _, headers, _ = http_get(f"{base}/{path}", cookie=cookie)
            assert headers["x-upstream"] == replica, path
            assert "st_replica" not in headers.get("set-cookie", "")  # set once, on the first response


def test_each_tab_runs_its_script_on_its_cookies_replica(balanced, first_visits):
    """One websocket session per replica (and a second one on the first): open, move a slider, both runs finish."""
    base, addresses = balanced
    by_replica = {replica: cookie for cookie, replica in first_visits}
    tabs = [(by_replica[a], a) for a in sorted(addresses)] + [next(v for v in first_visits if v[1] == min(addresses))]

    async def drive() -> tuple[list[tuple[Session, float]], Session]:
        sessions = [Session(base, PAGE, cookie=cookie, timeout=60) for cookie, _ in tabs]
        cookieless = Session(base, PAGE, timeout=60)
        await asyncio.gather(*(s.open() for s in [*sessions, cookieless]))
        rng = np.random.default_rng(0)
        moved = [await s.move(s.find("slider"), rng) for s in sessions]
        await asyncio.gather(*(s.close() for s in [*sessions, cookieless]))
        return list(zip(sessions, moved, strict=True)), cookieless

    tabs_run, cookieless = asyncio.run(drive())
    for (session, seconds), (_, replica) in zip(tabs_run, tabs, strict=True):
        assert session.errors == []
        assert session.upstream == replica  # the websocket upgrade went to the cookie's replica ...
        assert not any("st_replica" in c for c in session.handshake_cookies)  # ... because the cookie came along
        assert session.page_hash and seconds > 0
        assert len(session.states) == 1  # the slider's new value went up with the rerun
    assert cookieless.errors == [] and any("st_replica" in c for c in cookieless.handshake_cookies)


@pytest.mark.browser
def test_a_browser_tab_keeps_html_and_websocket_on_one_replica(balanced, browser):
    """Chromium without cookies: the HTML sets st_replica, the websocket upgrade (seen through CDP) reaches the same replica."""
    base, addresses = balanced
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        handshakes: list[dict] = []
        cdp.on("Network.webSocketHandshakeResponseReceived", lambda e: handshakes.append(e["response"]["headers"]))
        response = page.goto(f"{base}/{PAGE}")
        page.wait_for_selector(IDLE, timeout=60_000)
        page.wait_for_selector('[data-testid="stSlider"]', timeout=60_000)
        replica = response.headers["x-upstream"]
        cookies = {c["name"]: c for c in context.cookies()}
    finally:
        context.close()
    assert replica in addresses
    assert cookies["st_replica"]["httpOnly"]
    handshakes = [{k.lower(): v for k, v in h.items()} for h in handshakes]
    assert handshakes and {h.get("x-upstream") for h in handshakes} == {replica}
    assert not any("st_replica" in h.get("set-cookie", "") for h in handshakes)  # the upgrade carried the cookie
