"""The compose recipe on loopback, without Docker: app replicas as `streamlit run` processes, nginx as a child.

Used by tests/deploy/ and `bench/load.py --replicas`. nginx runs from a temporary prefix with the committed
deploy/nginx.conf.template filled in (listen port, one ``server 127.0.0.1:PORT;`` per replica), so what is
tested is the load balancing the compose file deploys.
"""

from __future__ import annotations

import grp
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"

MAIN_CONF = """worker_processes 1;
{user}pid {tmp}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/app.conf;
}}
"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_nginx(listen_port: int, upstream_ports: list[int]) -> str:
    """deploy/nginx.conf.template with the listen port and one loopback server per replica port."""
    servers = "\n    ".join(f"server 127.0.0.1:{p};" for p in upstream_ports)
    text = TEMPLATE.read_text().replace("${LISTEN_PORT}", f"127.0.0.1:{listen_port}").replace("${APP_SERVERS}", servers)
    if "${" in text:
        raise ValueError("deploy/nginx.conf.template has a placeholder loopback.py does not fill")
    return text


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    """Wait until ``url``/_stcore/health answers ok; raise with the end of its log if it dies or times out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{url} did not become healthy: {log.read_text()[-2000:]}")
        time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_app(port: int, log: Path, app_dir: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:port (headless, no file watcher), its output into ``log``."""
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address", "127.0.0.1",
           "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]  # fmt: skip
    with log.open("w") as out:  # a file, not a pipe: a pipe nobody reads would stall a chatty server
        return subprocess.Popen(cmd, cwd=app_dir, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)


@contextmanager
def replicas(n: int, logs: Path, app_dir: Path = ROOT, env: dict[str, str] | None = None) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    """n app servers on free loopback ports, started together, logs in ``logs``/replica-<i>.log; yields [(base URL, process)]."""
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        started = []
        for i in range(n):
            port = free_port()
            proc = start_app(port, logs / f"replica-{i}.log", app_dir, env)
            stack.callback(_stop, proc)
            started.append((f"http://127.0.0.1:{port}", proc))
        for i, (url, proc) in enumerate(started):
            wait_healthy(url, proc, logs / f"replica-{i}.log")
        yield started


def _has_group(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def nginx_binary() -> str | None:
    """The nginx executable (Debian puts it in /usr/sbin, which a non-root PATH may lack)."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


@contextmanager
def nginx(upstream_ports: list[int], tmp: Path) -> Iterator[str]:
    """nginx in the foreground from prefix ``tmp``, balancing over the loopback ports; yields its base URL."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx)")
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    user = ""
    if os.geteuid() == 0:  # nginx started by root hands its workers to an unprivileged user (Debian: nobody/nogroup)
        tmp.chmod(0o755)
        group = next((g for g in ("nogroup", "nobody") if _has_group(g)), "root")
        user = f"user nobody {group};\n"
    (tmp / "app.conf").write_text(render_nginx(port, upstream_ports))
    (tmp / "nginx.conf").write_text(MAIN_CONF.format(tmp=tmp, user=user))
    cmd = [binary, "-p", str(tmp), "-e", "stderr", "-c", str(tmp / "nginx.conf"), "-g", "daemon off; error_log stderr warn;"]
    with (tmp / "nginx.log").open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise RuntimeError(f"nginx did not start: {(tmp / 'nginx.log').read_text()[-2000:]}") from None
                time.sleep(0.1)
        yield url
    finally:
        _stop(proc)
